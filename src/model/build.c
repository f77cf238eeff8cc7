typedef int bl_stub_model_build; /* replaced by the real module */
