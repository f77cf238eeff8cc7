typedef int bl_stub_cli_cmd_tree; /* replaced by the real module */
