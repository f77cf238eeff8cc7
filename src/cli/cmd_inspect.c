typedef int bl_stub_cli_cmd_inspect; /* replaced by the real module */
