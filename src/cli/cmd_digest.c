typedef int bl_stub_cli_cmd_digest; /* replaced by the real module */
