typedef int bl_stub_model_facts; /* replaced by the real module */
