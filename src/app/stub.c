typedef int bl_stub_app_stub; /* replaced by the real module */
