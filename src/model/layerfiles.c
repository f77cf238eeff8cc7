typedef int bl_stub_layerfiles;
