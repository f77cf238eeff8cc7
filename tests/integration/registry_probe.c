/* A small driver of the registry store for the integration tests and the
 * benchmark: opens a reference, walks index -> manifests -> configs the way
 * `bakelens inspect` does (never reading a layer), and prints one line per
 * node:
 *   root <name> <mediaType> <digest> <size>
 *   index|manifest <digest> [platform]
 *   config <digest>
 *   layer <digest>            (named, not fetched)
 * Other commands: tags; referrers DIGEST; blob DIGEST (bytes to stdout);
 * stream DIGEST (streams a blob, prints its verified digest).
 * Errors: "registry_probe: <status>: <message>" on stderr, exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"
#include "bakelens/store.h"

static int die(const struct bl_error *e)
{
	fprintf(stderr, "registry_probe: %s: %s\n", bl_status_name(e->code), e->msg);
	return 1;
}

static bool walk(struct bl_store *s, const struct bl_descriptor *d, int depth, struct bl_error *err)
{
	if (depth > 8)
		return bl_fail(err, BL_E_LOOP, "too deep");
	struct bl_buf b;
	bl_buf_init(&b);
	if (!bl_store_read_blob(s, d, BL_JSON_MANIFEST_MAX, &b, err)) {
		bl_buf_fini(&b);
		return false;
	}
	json_t *j = bl_json_parse(b.data, b.len, BL_JSON_MANIFEST_MAX, err);
	bl_buf_fini(&b);
	if (!j)
		return false;
	bool ok = true;
	json_t *mans = bl_json_arr(j, "manifests");
	if (mans) {
		printf("index %s\n", d->digest.str);
		size_t n = json_array_size(mans);
		struct bl_descriptor *kids = bl_calloc(n ? n : 1, sizeof *kids);
		const struct bl_digest **ds = bl_calloc(n ? n : 1, sizeof *ds);
		for (size_t i = 0; i < n && ok; i++) {
			ok = bl_descriptor_parse(
			        json_array_get(mans, i), "manifests[]", &kids[i], err);
			ds[i] = &kids[i].digest;
		}
		if (ok && getenv("PROBE_NO_PREFETCH") == NULL)
			ok = bl_store_prefetch(s, ds, n, err);
		for (size_t i = 0; i < n && ok; i++) {
			char *p =
			        kids[i].has_platform ? bl_platform_format(&kids[i].platform) : NULL;
			printf("manifest %s %s\n", kids[i].digest.str, p ? p : "-");
			free(p);
			ok = walk(s, &kids[i], depth + 1, err);
		}
		for (size_t i = 0; i < n; i++)
			bl_descriptor_fini(&kids[i]);
		free(kids);
		free(ds);
	} else {
		json_t *cfg = bl_json_obj(j, "config");
		struct bl_descriptor cd;
		if (cfg && bl_descriptor_parse(cfg, "config", &cd, err)) {
			struct bl_buf cb;
			bl_buf_init(&cb);
			ok = bl_store_read_blob(s, &cd, BL_JSON_CONFIG_MAX, &cb, err);
			if (ok)
				printf("config %s\n", cd.digest.str);
			bl_buf_fini(&cb);
			bl_descriptor_fini(&cd);
		} else if (cfg) {
			ok = false;
		}
		size_t i;
		json_t *v;
		json_array_foreach(bl_json_arr(j, "layers"), i, v)
		{
			const char *dg = bl_json_str(v, "digest");
			printf("layer %s\n", dg ? dg : "?");
		}
	}
	json_decref(j);
	return ok;
}

int main(int argc, char **argv)
{
	struct bl_source_opts o = {0};
	const char *insecure[8] = {0};
	int ni = 0;
	bool stats = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--insecure") && v && ni < 7)
			insecure[ni++] = v, i++;
		else if (!strcmp(a, "--cacert") && v)
			o.cacert = v, i++;
		else if (!strcmp(a, "--authfile") && v)
			o.authfile = v, i++;
		else if (!strcmp(a, "--cache-dir") && v)
			o.cache_dir = v, i++;
		else if (!strcmp(a, "--low-speed-time") && v)
			o.low_speed_time_s = atol(v), i++;
		else if (!strcmp(a, "--no-cache"))
			o.no_cache = true;
		else if (!strcmp(a, "--offline"))
			o.offline = true;
		else if (!strcmp(a, "--stats"))
			stats = true;
		else {
			fprintf(stderr, "registry_probe: unknown option %s\n", a);
			return 2;
		}
	}
	o.insecure = insecure;
	if (i >= argc) {
		fprintf(stderr, "usage: registry_probe [options] REF [walk|tags|referrers D|blob "
		                "D|stream D]\n");
		return 2;
	}
	const char *ref = argv[i++];
	const char *cmd = i < argc ? argv[i++] : "walk";
	const char *arg = i < argc ? argv[i] : NULL;
	struct bl_error err = {0};
	struct bl_store *s = NULL;
	if (!bl_store_registry_open(ref, &o, &s, &err))
		return die(&err);
	int rc = 0;
	if (!strcmp(cmd, "walk")) {
		struct bl_vec roots;
		bl_vec_init(&roots, bl_store_root_free);
		bool ok = bl_store_roots(s, &roots, &err);
		for (size_t k = 0; ok && k < roots.len; k++) {
			struct bl_store_root *r = bl_vec_get(&roots, k);
			printf("root %s %s %s %lld\n", r->name,
			        r->desc.media_type ? r->desc.media_type : "-", r->desc.digest.str,
			        (long long)r->desc.size);
			fflush(stdout);
			/* a test hook: stop the registry mid-session */
			const char *hook = getenv("PROBE_AFTER_ROOT");
			if (hook && system(hook) != 0)
				fprintf(stderr, "registry_probe: hook failed\n");
			ok = walk(s, &r->desc, 0, &err);
		}
		bl_vec_fini(&roots);
		if (!ok)
			rc = die(&err);
	} else if (!strcmp(cmd, "tags")) {
		struct bl_vec tags;
		bl_vec_init(&tags, free);
		if (bl_store_list_tags(s, &tags, &err)) {
			for (size_t k = 0; k < tags.len; k++)
				printf("%s\n", (char *)bl_vec_get(&tags, k));
		} else {
			rc = die(&err);
		}
		bl_vec_fini(&tags);
	} else if (!strcmp(cmd, "referrers") && arg) {
		struct bl_digest d;
		struct bl_vec descs;
		bl_vec_init(&descs, bl_descriptor_free);
		if (!bl_digest_parse(arg, &d, &err) || !bl_store_referrers(s, &d, &descs, &err)) {
			rc = die(&err);
		} else {
			for (size_t k = 0; k < descs.len; k++) {
				struct bl_descriptor *dd = bl_vec_get(&descs, k);
				printf("referrer %s %s\n", dd->digest.str,
				        dd->artifact_type ? dd->artifact_type : "-");
			}
		}
		bl_vec_fini(&descs);
	} else if ((!strcmp(cmd, "blob") || !strcmp(cmd, "stream")) && arg) {
		struct bl_descriptor d = {0};
		d.size = -1;
		if (!bl_digest_parse(arg, &d.digest, &err)) {
			rc = die(&err);
		} else if (!strcmp(cmd, "blob")) {
			struct bl_buf b;
			bl_buf_init(&b);
			if (bl_store_read_blob(s, &d, BL_JSON_CONFIG_MAX, &b, &err))
				fwrite(b.data ? b.data : "", 1, b.len, stdout);
			else
				rc = die(&err);
			bl_buf_fini(&b);
		} else {
			struct bl_stream *st = NULL;
			if (!bl_store_open_blob(s, &d, &st, &err)) {
				rc = die(&err);
			} else {
				char buf[65536];
				ssize_t n;
				unsigned long long total = 0;
				while ((n = st->read(st, buf, sizeof buf, &err)) > 0)
					total += (unsigned long long)n;
				if (n < 0)
					rc = die(&err);
				else
					printf("streamed %s %llu\n", d.digest.str, total);
				st->close(st);
			}
		}
	} else {
		fprintf(stderr, "registry_probe: unknown command %s\n", cmd);
		rc = 2;
	}
	if (stats) {
		const struct bl_registry_stats *st = bl_registry_get_stats(s);
		fprintf(stderr, "stats requests=%u bytes=%llu cache_hits=%u\n", st->requests,
		        (unsigned long long)st->bytes, st->cache_hits);
	}
	bl_store_free(s);
	fflush(stdout);
	return rc;
}
