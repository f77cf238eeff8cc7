#!/usr/bin/env bash
# Rebuild examples/ (out/ and metadata.json): a small real build made with umoci, in the shape buildx
# writes with `docker buildx bake --metadata-file metadata.json` and an
# `--output type=oci,tar=false,dest=out` export:
#   target "app":  a multi-platform index (linux/amd64, linux/arm64), 3 layers each
#   target "base": a single-platform image (linux/amd64), 1 layer
# Every digest in metadata.json is read back from the layout with jq and sha256sum.
# Usage: examples/make-example.sh   (needs umoci, jq, sha256sum)
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out metadata.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z
created=2026-01-01T00:00:00Z
files="$work/files"
mkdir -p "$files/etc" "$files/app"
printf 'NAME="bakelens example"\nID=example\n' >"$files/etc/os-release"
printf '#!/bin/sh\necho "hello from %s"\n' app >"$files/app/hello.sh"
chmod 755 "$files/app/hello.sh"
printf 'greeting = "hello"\n' >"$files/app/config.toml"
touch -d "@$SOURCE_DATE_EPOCH" "$files"/etc/* "$files"/app/*

umoci init --layout out

image() { # tag arch [variant]
	local tag=$1 arch=$2
	umoci new --image "out:$tag"
	umoci config --image "out:$tag" --os linux --architecture "$arch" --created "$created" \
		--config.workingdir /app --config.env PATH=/usr/bin:/bin --config.env APP_MODE=example \
		--config.label org.opencontainers.image.title=bakelens-example \
		--config.label org.opencontainers.image.source=https://example.invalid/bakelens \
		--config.entrypoint /app/hello.sh --config.user 1000:1000 \
		--history.created "$created" --history.created_by 'WORKDIR /app' --history.comment buildkit.dockerfile.v0
	umoci insert --image "out:$tag" --history.created "$created" \
		--history.created_by 'COPY os-release /etc/os-release # buildkit' "$files/etc/os-release" /etc/os-release
}
image base amd64
image app-amd64 amd64
image app-arm64 arm64
for t in app-amd64 app-arm64; do
	umoci insert --image "out:$t" --history.created "$created" \
		--history.created_by 'COPY hello.sh /app/hello.sh # buildkit' "$files/app/hello.sh" /app/hello.sh
	umoci insert --image "out:$t" --history.created "$created" \
		--history.created_by 'COPY config.toml /app/ # buildkit' "$files/app/config.toml" /app/config.toml
done

# Platforms on the index entries, as buildx writes them.
desc() { jq -c --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | del(.annotations)' out/index.json; }
amd=$(desc app-amd64 | jq -c '. + {platform:{architecture:"amd64",os:"linux"}}')
arm=$(desc app-arm64 | jq -c '. + {platform:{architecture:"arm64",os:"linux"}}')
jq -cn --argjson a "$amd" --argjson b "$arm" \
	'{schemaVersion:2, mediaType:"application/vnd.oci.image.index.v1+json", manifests:[$a,$b]}' | tr -d '\n' >"$work/index"
idx_hex=$(sha256sum "$work/index" | cut -d' ' -f1)
idx_size=$(stat -c %s "$work/index")
cp "$work/index" "out/blobs/sha256/$idx_hex"

# Top-level index.json: the two targets, named as buildx names them.
base=$(desc base)
jq --argjson base "$base" --arg d "sha256:$idx_hex" --argjson s "$idx_size" --arg c "$created" '
	.manifests = [
	  {mediaType:"application/vnd.oci.image.index.v1+json", digest:$d, size:$s,
	   annotations:{"io.containerd.image.name":"docker.io/example/app:latest",
	                "org.opencontainers.image.created":$c,
	                "org.opencontainers.image.ref.name":"latest"}},
	  ($base + {annotations:{"io.containerd.image.name":"docker.io/example/base:latest",
	                "org.opencontainers.image.created":$c,
	                "org.opencontainers.image.ref.name":"base"},
	            platform:{architecture:"amd64",os:"linux"}})
	]' out/index.json >"$work/index.json"
mv "$work/index.json" out/index.json
# Drop blobs no longer referenced (the per-platform tags' history).
umoci gc --layout out

base_d=$(jq -r '.digest' <<<"$base")
base_cfg=$(jq -r '.config.digest' "out/blobs/sha256/${base_d#sha256:}")
warn_short=$(printf 'JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals (line 9)' | base64 -w0)
warn_detail=$(printf 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals' | base64 -w0)
jq -n --arg idx "sha256:$idx_hex" --argjson isz "$idx_size" --arg c "$created" \
	--argjson base "$base" --arg bcfg "$base_cfg" --arg ws "$warn_short" --arg wd "$warn_detail" '{
  "app": {
    "buildx.build.ref": "default/default/q1w2e3r4t5y6u7i8o9p0app",
    "containerimage.descriptor": {mediaType:"application/vnd.oci.image.index.v1+json", digest:$idx, size:$isz,
      annotations:{"org.opencontainers.image.created":$c}},
    "containerimage.digest": $idx,
    "image.name": "docker.io/example/app:latest"
  },
  "base": {
    "buildx.build.ref": "default/default/a1s2d3f4g5h6j7k8l9z0base",
    "containerimage.config.digest": $bcfg,
    "containerimage.descriptor": ($base + {annotations:{"org.opencontainers.image.created":$c}, platform:{architecture:"amd64",os:"linux"}}),
    "containerimage.digest": $base.digest,
    "image.name": "docker.io/example/base:latest"
  },
  "buildx.build.warnings": [
    {vertex:"sha256:0000000000000000000000000000000000000000000000000000000000000000", level:1, short:$ws, detail:[$wd],
     url:"https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
     sourceInfo:{filename:"Dockerfile", data:"", language:"Dockerfile"},
     range:[{start:{line:9},end:{line:9}}]}
  ]
}' >metadata.json
echo "examples: out/ and metadata.json written"
