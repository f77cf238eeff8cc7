typedef int bl_stub_core_mediatype; /* replaced by the real module */
