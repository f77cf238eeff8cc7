typedef int bl_stub_ui_stub; /* replaced by the real module */
