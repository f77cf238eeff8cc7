#!/usr/bin/env bash
# Rebuild examples/: two small real builds made with umoci, in the shape buildx writes
# with `docker buildx bake --metadata-file metadata.json` and an
# `--output type=oci,tar=false,dest=out` export, with provenance (mode=max) and an SBOM:
#   out/ and metadata.json:        built with VERSION=1.0
#   out-v2/ and metadata-v2.json:  the same build with VERSION=1.1 (one build argument,
#                                  one layer: the RUN that uses it)
#   target "app":  a multi-platform index (linux/amd64, linux/arm64), 5 layers each (the
#                  4th copies deps.cache, the 5th deletes it again: wasted bytes), and per
#                  platform an attestation manifest as BuildKit writes it: a SLSA
#                  provenance v1 statement and an SPDX 2.3 SBOM statement
#   target "base": a single-platform image (linux/amd64), 1 layer; app is built FROM it
# The Dockerfile the provenance carries is the one below; its line numbers are those of
# the history lines. Every digest is computed here with sha256sum and jq.
# Usage: examples/make-example.sh   (needs umoci, jq, sha256sum, tar)
set -euo pipefail
cd "$(dirname "$0")"
rm -rf out out-v2 metadata.json metadata-v2.json
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
seq -f 'cached dependency %g' 1 400 >"$files/app/deps.cache"
touch -d "@$SOURCE_DATE_EPOCH" "$files"/etc/* "$files"/app/*

dockerfile() {
	cat <<'DOCKERFILE'
FROM example/base:latest
ARG VERSION=1.0
ENV APP_MODE=example
COPY hello.sh /app/hello.sh
COPY config.toml /app/
COPY deps.cache /app/deps.cache
RUN rm /app/deps.cache && echo "$VERSION" >/app/version
USER 1000:1000
ENTRYPOINT /app/hello.sh
DOCKERFILE
}
run_cmd='rm /app/deps.cache && echo "$VERSION" >/app/version'

# blob LAYOUT FILE: store FILE as a blob, print "sha256:<hex> <size>".
blob() {
	local hex
	hex=$(sha256sum "$2" | cut -d' ' -f1)
	cp "$2" "$1/blobs/sha256/$hex"
	echo "sha256:$hex $(stat -c %s "$2")"
}

# build LAYOUT METADATA VERSION
build() {
	local out=$1 meta=$2 version=$3
	umoci init --layout "$out"
	image() { # tag arch
		local tag=$1 arch=$2
		umoci new --image "$out:$tag"
		umoci config --image "$out:$tag" --os linux --architecture "$arch" --created "$created" \
			--config.workingdir /app --config.env PATH=/usr/bin:/bin --config.env APP_MODE=example \
			--config.label org.opencontainers.image.title=bakelens-example \
			--config.label org.opencontainers.image.source=https://example.invalid/bakelens \
			--config.entrypoint /app/hello.sh --config.user 1000:1000 \
			--history.created "$created" --history.created_by 'WORKDIR /app' --history.comment buildkit.dockerfile.v0
		umoci insert --image "$out:$tag" --history.created "$created" \
			--history.created_by 'COPY os-release /etc/os-release # buildkit' "$files/etc/os-release" /etc/os-release
	}
	image base amd64
	image base-arm64 arm64 # app's base on arm64: only its digest is kept (provenance)
	umoci tag --image "$out:base" app-amd64
	umoci tag --image "$out:base-arm64" app-arm64
	# The RUN layer: deps.cache removed (a whiteout), /app/version written.
	local run="$work/run" t
	rm -rf "$run" && mkdir -p "$run/app"
	echo "$version" >"$run/app/version"
	: >"$run/app/.wh.deps.cache"
	chmod 755 "$run/app"
	touch -d "@$SOURCE_DATE_EPOCH" "$run/app" "$run/app/version" "$run/app/.wh.deps.cache"
	tar -C "$run" --sort=name --owner=0 --group=0 --numeric-owner --format=ustar --no-recursion \
		-cf "$work/run.tar" app app/.wh.deps.cache app/version
	for t in app-amd64 app-arm64; do
		umoci insert --image "$out:$t" --history.created "$created" \
			--history.created_by 'COPY hello.sh /app/hello.sh # buildkit' "$files/app/hello.sh" /app/hello.sh
		umoci insert --image "$out:$t" --history.created "$created" \
			--history.created_by 'COPY config.toml /app/ # buildkit' "$files/app/config.toml" /app/config.toml
		umoci insert --image "$out:$t" --history.created "$created" \
			--history.created_by 'COPY deps.cache /app/deps.cache # buildkit' "$files/app/deps.cache" /app/deps.cache
		umoci raw add-layer --image "$out:$t" --history.created "$created" \
			--history.created_by "RUN |1 VERSION=$version /bin/sh -c $run_cmd # buildkit" \
			--history.comment buildkit.dockerfile.v0 "$work/run.tar"
	done

	desc() { jq -c --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | del(.annotations)' "$out/index.json"; }
	local df_b64
	df_b64=$(dockerfile | base64 -w0)
	# attest PLATFORM-ARCH: the attestation manifest of app-ARCH; prints its index entry.
	attest() {
		local arch=$1 m base_m dg sz
		m=$(desc "app-$arch")
		base_m=$(desc "base$([ "$arch" = amd64 ] || echo "-$arch")" | jq -r .digest)
		local man="$out/blobs/sha256/$(jq -r '.digest | ltrimstr("sha256:")' <<<"$m")"
		local subject
		subject=$(jq -c --arg a "$arch" '[{name:("pkg:docker/example/app@latest?platform=linux%2F" + $a),
			digest:{sha256:(.digest | ltrimstr("sha256:"))}}]' <<<"$m")
		# Layer chains per step, as buildkit_metadata.layers has them: step N made layer N+1.
		jq -c --arg a "$arch" --arg v "$version" --arg base "docker.io/example/base:latest@$base_m" \
			--arg run "$run_cmd" --arg df "$df_b64" --arg c "$created" --argjson subject "$subject" \
			--arg bm "${base_m#sha256:}" --arg inv "$(printf 'app %s %s' "$arch" "$version" | sha256sum | cut -c1-25)" '
		.layers as $L |
		def chain($n): [[$L[0:$n][] | {mediaType, digest, size}]];
		def plat: {Architecture:$a, OS:"linux"};
		def env: ["PATH=/usr/bin:/bin", "APP_MODE=example", ("VERSION=" + $v)];
		def copy($src; $dest): {"file":{actions:[{Action:{copy:{src:$src, dest:$dest, mode:-1, timestamp:-1,
			followSymlink:true, dirCopyContents:true, createDestPath:true, allowWildcard:true,
			allowEmptyWildcard:true}}, input:0, secondaryInput:1, output:0}]}};
		def at($l): {locations:[{ranges:[{start:{line:$l}, end:{line:$l}}]}]};
		{_type:"https://in-toto.io/Statement/v0.1", predicateType:"https://slsa.dev/provenance/v1",
		 subject:$subject,
		 predicate:{
		  buildDefinition:{
		   buildType:"https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
		   externalParameters:{
		    configSource:{path:"Dockerfile"},
		    request:{frontend:"dockerfile.v0",
		     args:{"build-arg:VERSION":$v, target:"app"},
		     locals:[{name:"context"},{name:"dockerfile"}]}},
		   internalParameters:{
		    buildConfig:{llbDefinition:[
		     {id:"step0", op:{Op:{source:{identifier:("docker-image://" + $base)}}, platform:plat, constraints:{}}},
		     {id:"step1", op:{Op:{source:{identifier:"local://context", attrs:{"local.sharedkeyhint":"context"}}}, constraints:{}}},
		     {id:"step2", inputs:["step0:0","step1:0"], op:{Op:copy("/hello.sh"; "/app/hello.sh"), constraints:{}}},
		     {id:"step3", inputs:["step2:0","step1:0"], op:{Op:copy("/config.toml"; "/app/"), constraints:{}}},
		     {id:"step4", inputs:["step3:0","step1:0"], op:{Op:copy("/deps.cache"; "/app/deps.cache"), constraints:{}}},
		     {id:"step5", inputs:["step4:0"], op:{Op:{exec:{meta:{args:["/bin/sh","-c",$run], env:env, cwd:"/app"},
		       mounts:[{dest:"/"}]}}, platform:plat, constraints:{}}},
		     {id:"step6", inputs:["step5:0"], op:{Op:{}}}]},
		    builderPlatform:"linux/amd64"},
		   resolvedDependencies:[{uri:("pkg:docker/example/base@latest?platform=linux%2F" + $a), digest:{sha256:$bm}}]},
		  runDetails:{
		   builder:{id:""},
		   metadata:{invocationID:$inv, startedOn:$c, finishedOn:$c,
		    buildkit_completeness:{request:true, resolvedDependencies:true},
		    buildkit_hermetic:false,
		    buildkit_metadata:{
		     source:{locations:{step0:at(1), step2:at(4), step3:at(5), step4:at(6), step5:at(7)},
		      infos:[{filename:"Dockerfile", language:"Dockerfile", data:$df}]},
		     layers:{"step0:0":chain(1), "step2:0":chain(2), "step3:0":chain(3), "step4:0":chain(4),
		      "step5:0":chain(5)}}}}}}' "$man" | tr -d '\n' >"$work/prov-$arch"
		jq -cn --arg a "$arch" --arg v "$version" --arg c "$created" --argjson subject "$subject" '
		def pkg($n; $ver; $id): {name:$n, SPDXID:("SPDXRef-Package-" + $id), versionInfo:$ver,
			downloadLocation:"NOASSERTION", licenseConcluded:"NOASSERTION", licenseDeclared:"NOASSERTION",
			copyrightText:"NOASSERTION", primaryPackagePurpose:"APPLICATION",
			externalRefs:[{referenceCategory:"PACKAGE-MANAGER", referenceType:"purl",
				referenceLocator:("pkg:generic/" + $n + "@" + $ver)}]};
		{_type:"https://in-toto.io/Statement/v0.1", predicateType:"https://spdx.dev/Document",
		 subject:$subject,
		 predicate:{spdxVersion:"SPDX-2.3", dataLicense:"CC0-1.0", SPDXID:"SPDXRef-DOCUMENT",
		  name:"/run/src/core",
		  documentNamespace:("https://example.invalid/bakelens/sbom/app-" + $a + "-" + $v),
		  creationInfo:{created:$c, creators:["Organization: bakelens example", "Tool: make-example.sh"]},
		  packages:[pkg("example-os"; "1"; "os"), pkg("example-app"; $v; "app"),
		   pkg("example-config"; "1"; "config")],
		  relationships:[{spdxElementId:"SPDXRef-DOCUMENT", relationshipType:"DESCRIBES",
		   relatedSpdxElement:"SPDXRef-Package-app"}]}}' | tr -d '\n' >"$work/sbom-$arch"
		local pd sd
		pd=$(blob "$out" "$work/prov-$arch")
		sd=$(blob "$out" "$work/sbom-$arch")
		jq -cn --arg p "$pd" --arg s "$sd" '{architecture:"unknown", os:"unknown", config:{},
			rootfs:{type:"layers", diff_ids:[($p | split(" ")[0]), ($s | split(" ")[0])]}}' | tr -d '\n' >"$work/acfg-$arch"
		local cd
		cd=$(blob "$out" "$work/acfg-$arch")
		jq -cn --arg p "$pd" --arg s "$sd" --arg cd "$cd" '
		def d($x): {digest:($x | split(" ")[0]), size:($x | split(" ")[1] | tonumber)};
		{schemaVersion:2, mediaType:"application/vnd.oci.image.manifest.v1+json",
		 config:({mediaType:"application/vnd.oci.image.config.v1+json"} + d($cd)),
		 layers:[({mediaType:"application/vnd.in-toto+json"} + d($p) +
		          {annotations:{"in-toto.io/predicate-type":"https://slsa.dev/provenance/v1"}}),
		         ({mediaType:"application/vnd.in-toto+json"} + d($s) +
		          {annotations:{"in-toto.io/predicate-type":"https://spdx.dev/Document"}})]}' |
			tr -d '\n' >"$work/aman-$arch"
		local ad
		ad=$(blob "$out" "$work/aman-$arch")
		jq -cn --arg ad "$ad" --arg md "$(jq -r .digest <<<"$m")" '{mediaType:"application/vnd.oci.image.manifest.v1+json",
			digest:($ad | split(" ")[0]), size:($ad | split(" ")[1] | tonumber),
			annotations:{"vnd.docker.reference.digest":$md, "vnd.docker.reference.type":"attestation-manifest"},
			platform:{architecture:"unknown", os:"unknown"}}'
	}

	# Platforms on the index entries, as buildx writes them; attestations after the images.
	local amd arm amd_att arm_att
	amd=$(desc app-amd64 | jq -c '. + {platform:{architecture:"amd64",os:"linux"}}')
	arm=$(desc app-arm64 | jq -c '. + {platform:{architecture:"arm64",os:"linux"}}')
	amd_att=$(attest amd64)
	arm_att=$(attest arm64)
	jq -cn --argjson a "$amd" --argjson b "$arm" --argjson aa "$amd_att" --argjson ba "$arm_att" \
		'{schemaVersion:2, mediaType:"application/vnd.oci.image.index.v1+json", manifests:[$a,$b,$aa,$ba]}' |
		tr -d '\n' >"$work/index"
	local idx idx_hex idx_size
	idx=$(blob "$out" "$work/index")
	idx_hex=${idx%% *}
	idx_hex=${idx_hex#sha256:}
	idx_size=${idx##* }

	# Top-level index.json: the two targets, named as buildx names them.
	local base
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
	]' "$out/index.json" >"$work/index.json"
	mv "$work/index.json" "$out/index.json"
	# Drop blobs no longer referenced (the per-platform tags' history, base on arm64).
	umoci gc --layout "$out"

	local base_d base_cfg warn_short warn_detail entry_line
	base_d=$(jq -r '.digest' <<<"$base")
	base_cfg=$(jq -r '.config.digest' "$out/blobs/sha256/${base_d#sha256:}")
	entry_line=$(dockerfile | grep -n '^ENTRYPOINT' | cut -d: -f1)
	warn_short=$(printf 'JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals (line %s)' "$entry_line" | base64 -w0)
	warn_detail=$(printf 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals' | base64 -w0)
	jq -n --arg idx "sha256:$idx_hex" --argjson isz "$idx_size" --arg c "$created" --argjson line "$entry_line" \
		--argjson base "$base" --arg bcfg "$base_cfg" --arg ws "$warn_short" --arg wd "$warn_detail" \
		--arg ref "$(printf 'app %s' "$version" | sha256sum | cut -c1-22)" '{
  "app": {
    "buildx.build.ref": ("default/default/" + $ref),
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
     range:[{start:{line:$line},end:{line:$line}}]}
  ]
}' >"$meta"
}
build out metadata.json 1.0
build out-v2 metadata-v2.json 1.1
echo "examples: out/, metadata.json, out-v2/ and metadata-v2.json written"
