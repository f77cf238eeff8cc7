#!/usr/bin/env bash
# Signatures and other referrers in a registry, named for what they are:
# a cosign-shaped sha256-<hex>.sig tag (simple signing layer, signature and
# certificate annotations; the certificate made here with openssl req), an
# OCI 1.1 referrer carrying a sigstore bundle (DSSE, a second certificate),
# found through a referrers index without artifactType, cosign's .att and
# .sbom tags, and an artifact whose only type is its config's media type. The signer is what the
# certificate says (read back with openssl x509), every signed one is "not
# verified", and diff says "signature added" / "signature removed".
. "$BL_TESTLIB"
. "$(dirname "$0")/registry-lib.sh"
PUSH=$(dirname "$0")/push_artifact.py

start_registry signatures plain
R=127.0.0.1:$REG_PORT
L=$BL_TMP/layout
make_layout "$L"
push "oci:$L:amd64" "$R/app:signed"
push "oci:$L:amd64" "$R/plain:latest"
subject=$(skopeo_raw_digest "$R/app:signed")
subject_size=$(skopeo --policy "$POLICY" inspect --tls-verify=false --raw "docker://$R/app:signed" | wc -c)
expect_eq "the same image in both repositories" "$subject" "$(skopeo_raw_digest "$R/plain:latest")"
W=$BL_TMP/w
mkdir -p "$W"
blob_desc() { # MEDIATYPE FILE -> descriptor JSON
	jq -nc --arg m "$1" --arg d "$(sha256_of "$2")" --argjson s "$(stat -c %s "$2")" \
		'{mediaType: $m, digest: $d, size: $s}'
}

# 1. cosign's tag form: sha256-<hex>.sig
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bakelens-signer -addext subjectAltName=email:signer@example.test \
	-keyout "$W/key.pem" -out "$W/cert.pem" >/dev/null 2>&1
cert_email=$(openssl x509 -in "$W/cert.pem" -noout -ext subjectAltName | sed -n 's/^ *email://p')
expect_eq "openssl wrote the SAN" "signer@example.test" "$cert_email"
jq -nc --arg d "$subject" --arg r "$R/app" '{critical: {identity: {"docker-reference": $r},
	image: {"docker-manifest-digest": $d}, type: "cosign container image signature"}, optional: {}}' \
	>"$W/payload.json"
sig=$(openssl dgst -sha256 -sign "$W/key.pem" "$W/payload.json" | base64 -w0)
printf '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
	"$(sha256_of "$W/payload.json")" >"$W/sigconfig.json"
jq -nc --argjson c "$(blob_desc application/vnd.oci.image.config.v1+json "$W/sigconfig.json")" \
	--argjson l "$(blob_desc application/vnd.dev.cosign.simplesigning.v1+json "$W/payload.json")" \
	--arg sig "$sig" --rawfile cert "$W/cert.pem" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
	  layers: [$l + {annotations: {"dev.cosignproject.cosign/signature": $sig,
	                              "dev.sigstore.cosign/certificate": $cert}}]}' >"$W/sig.json"
sigm=$(python3 "$PUSH" "$R" app "sha256-${subject#sha256:}.sig" "$W/sig.json" "$W/sigconfig.json" "$W/payload.json")
expect_eq "sig manifest pushed" "$(sha256_of "$W/sig.json")" "$sigm"

# cosign's .att (a DSSE envelope, predicate type in the layer annotation,
# the same certificate) and .sbom (a raw SPDX document, unsigned) tags
stmt_att=$(jq -nc --arg d "${subject#sha256:}" '{_type: "https://in-toto.io/Statement/v1",
	subject: [{name: "app", digest: {sha256: $d}}], predicateType: "https://cyclonedx.org/vex",
	predicate: {}}' | base64 -w0)
jq -nc --arg p "$stmt_att" '{payloadType: "application/vnd.in-toto+json", payload: $p,
	signatures: [{keyid: "", sig: "MEUCIQ=="}]}' >"$W/dsse.json"
jq -nc --argjson c "$(blob_desc application/vnd.oci.image.config.v1+json "$W/sigconfig.json")" \
	--argjson l "$(blob_desc application/vnd.dsse.envelope.v1+json "$W/dsse.json")" \
	--rawfile cert "$W/cert.pem" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
	  layers: [$l + {annotations: {predicateType: "https://cyclonedx.org/vex",
	                              "dev.sigstore.cosign/certificate": $cert}}]}' >"$W/att.json"
attm=$(python3 "$PUSH" "$R" app "sha256-${subject#sha256:}.att" "$W/att.json" "$W/sigconfig.json" "$W/dsse.json")
printf '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[]}' >"$W/sbom.spdx.json"
jq -nc --argjson c "$(blob_desc application/vnd.oci.image.config.v1+json "$W/sigconfig.json")" \
	--argjson l "$(blob_desc text/spdx+json "$W/sbom.spdx.json")" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
	  layers: [$l]}' >"$W/sbomman.json"
sbomm=$(python3 "$PUSH" "$R" app "sha256-${subject#sha256:}.sbom" "$W/sbomman.json" "$W/sigconfig.json" "$W/sbom.spdx.json")

# 2. an OCI 1.1 referrer with a sigstore bundle (DSSE, SLSA provenance), and
# an artifact typed only by its config; the referrers index (the tag
# fallback: this registry has no referrers API) gives neither an artifactType.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=ci -addext "subjectAltName=URI:https://ci.example.test/workflows/release@refs/heads/main" \
	-keyout "$W/key2.pem" -out "$W/cert2.pem" >/dev/null 2>&1
cert_uri=$(openssl x509 -in "$W/cert2.pem" -noout -ext subjectAltName | sed -n 's/^ *URI://p')
der=$(openssl x509 -in "$W/cert2.pem" -outform DER | base64 -w0)
stmt=$(jq -nc --arg d "${subject#sha256:}" '{_type: "https://in-toto.io/Statement/v1",
	subject: [{name: "app", digest: {sha256: $d}}], predicateType: "https://slsa.dev/provenance/v1",
	predicate: {}}' | base64 -w0)
jq -nc --arg der "$der" --arg p "$stmt" '{mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
	verificationMaterial: {certificate: {rawBytes: $der}},
	dsseEnvelope: {payload: $p, payloadType: "application/vnd.in-toto+json",
	               signatures: [{sig: "MEUCIQ=="}]}}' >"$W/bundle.json"
printf '{}' >"$W/empty.json"
subj=$(jq -nc --arg d "$subject" --argjson s "$subject_size" \
	'{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s}')
jq -nc --argjson c "$(blob_desc application/vnd.oci.empty.v1+json "$W/empty.json")" \
	--argjson l "$(blob_desc application/vnd.dev.sigstore.bundle.v0.3+json "$W/bundle.json")" \
	--argjson subj "$subj" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	  artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", config: $c, layers: [$l],
	  subject: $subj, annotations: {"dev.sigstore.bundle.content": "dsse-envelope",
	  "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1"}}' >"$W/bundleman.json"
bm=$(python3 "$PUSH" "$R" app "$(sha256_of "$W/bundleman.json")" "$W/bundleman.json" "$W/empty.json" "$W/bundle.json")
printf '{"note":"example"}' >"$W/thing.json"
jq -nc --argjson c "$(blob_desc application/vnd.example.thing.config.v1+json "$W/thing.json")" \
	--argjson subj "$subj" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
	  layers: [], subject: $subj}' >"$W/thing-man.json"
tm=$(python3 "$PUSH" "$R" app "$(sha256_of "$W/thing-man.json")" "$W/thing-man.json" "$W/thing.json")
jq -nc --arg b "$bm" --argjson bs "$(stat -c %s "$W/bundleman.json")" \
	--arg t "$tm" --argjson ts "$(stat -c %s "$W/thing-man.json")" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $b, size: $bs},
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $t, size: $ts}]}' >"$W/refidx.json"
python3 "$PUSH" "$R" app "sha256-${subject#sha256:}" "$W/refidx.json" >/dev/null

O=$BL_TMP/out
E=$BL_TMP/err
run_bl "$O" "$E" inspect --json "$R/app:signed"
expect_eq "inspect exit ($(head -c 300 "$E"))" 0 "$rc"
under() { # the children of the subject manifest: "LABEL|DIGEST" lines
	jq -r --arg s "$subject" '.. | objects | select(.descriptor.digest? == $s) | .children[]
		| select(.referrer) | "\(.label)|\(.descriptor.digest)"' "$O" | sort
}
expect_eq "referrers under the manifest, named for what they are" \
	"$(printf '%s\n' \
		"attestation of https://slsa.dev/provenance/v1 (sigstore bundle), signer $cert_uri, not verified|$bm" \
		"attestation of https://cyclonedx.org/vex (cosign), signer $cert_email, not verified|$attm" \
		"SBOM (cosign)|$sbomm" \
		"referrer: application/vnd.example.thing.config.v1+json|$tm" \
		"signature (cosign), signer $cert_email, not verified|$sigm" | sort)" \
	"$(under)"
expect_eq "signature: referrer object" "signature cosign true $cert_email false" \
	"$(jq -r --arg d "$sigm" '[.. | objects | select(.descriptor.digest? == $d) | .referrer][0]
		| "\(.kind) \(.format) \(.signed) \(.signer) \(.verified)"' "$O")"
expect_eq "bundle: referrer object" "attestation https://slsa.dev/provenance/v1 application/vnd.dev.sigstore.bundle.v0.3+json false" \
	"$(jq -r --arg d "$bm" '[.. | objects | select(.descriptor.digest? == $d) | .referrer][0]
		| "\(.kind) \(.predicateType) \(.artifactType) \(.verified)"' "$O")"
expect_eq "index entry without artifactType: the type is the manifest's config's" \
	"other application/vnd.example.thing.config.v1+json false" \
	"$(jq -r --arg d "$tm" '[.. | objects | select(.descriptor.digest? == $d) | .referrer][0]
		| "\(.kind) \(.artifactType) \(.signed)"' "$O")"
expect_eq "nothing claims verification" 0 "$(grep -c '"verified": true' "$O" || true)"

run_bl "$O" "$E" tree "$R/app:signed"
expect_eq "tree exit" 0 "$rc"
run_bl "$O" "$E" inspect "$R/app:signed"
expect_eq "inspect facts: the signer, never verified" "signer: $cert_email|verified: no (the signer is what its certificate claims)" \
	"$(grep -A30 "signature (cosign)" "$O" | grep -oE "^ *(signer|verified): .*" | sed "s/^ *//" | head -2 | paste -sd"|")"
run_bl "$O" "$E" tree "$R/app:signed"
expect_eq "tree: three signed referrers, not verified" 3 "$(grep -c 'not verified' "$O")"

# diff: the same image, signed on one side only
run_bl "$O" "$E" diff "$R/plain:latest" "$R/app:signed"
expect_eq "diff exit (different)" 1 "$rc"
expect_eq "diff: signature added" 1 "$(grep -c "signature added: signature (cosign), signer $cert_email, not verified" "$O")"
expect_eq "diff: attestation added" 1 "$(grep -c 'attestation added: attestation of https://slsa.dev/provenance/v1' "$O")"
expect_eq "diff: config and layer identical" 1 "$(grep -c '= 2 identical: config, layer 1/1' "$O")"
expect_eq "diff: root filesystems identical" 1 "$(grep -c 'linux/amd64: root filesystems identical' "$O")"
run_bl "$O" "$E" diff "$R/app:signed" "$R/plain:latest"
expect_eq "diff: signature removed" 1 "$(grep -c "signature removed: signature (cosign)" "$O")"
run_bl "$O" "$E" diff --json "$R/plain:latest" "$R/app:signed"
expect_eq "diff --json: the signature node" "index-only signature added: signature (cosign), signer $cert_email, not verified" \
	"$(jq -r --arg d "$sigm" '.. | objects | select(.right.digest? == $d) | "\(.own) \(.notes[0])"' "$O")"

finish
