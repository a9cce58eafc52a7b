/* box.c - running a box: its root filesystem (image.h), a writable
 * copy-on-write layer over it, the id maps of a rootless user, the config
 * (spec.c), then the same foreground run as `husk run`.
 *
 * The layer is STORAGE/boxes/NAME/{upper,work,merged}: the overlay is
 * mounted on merged inside the container's mount namespace (so it goes
 * with the container), upper and work receive the writes.  A lock file
 * there, held while the box runs, keeps two boxes off one layer.  With
 * --rm (the default) the directory goes at exit; with --rm=false it stays
 * and a later box of the same name and root filesystem goes on with it.
 */
#include "box/box.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "box/image.h"
#include "linux/cgroup.h"
#include "runtime/run.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* Say once (per storage directory) that only the user's own id is
 * mapped. */
static void note_single_map(const char *storage, const hk_idmaps *maps)
{
	_cleanup_free_ char *marker = NULL;
	if (asprintf(&marker, "%s/.noted-single-id-map", storage) < 0)
		return;
	int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(fd);
	fprintf(stderr,
	        "husk: note: %s, so only your own uid and gid are mapped (root in the box); "
	        "files of other owners are yours\n",
	        maps->why_single);
}

typedef struct box_layer {
	char *dir, *upper, *work, *merged;
	int lock;
	bool made; /* this run made DIR */
} box_layer;

static void layer_release(box_layer *l)
{
	free(l->dir);
	free(l->upper);
	free(l->work);
	free(l->merged);
	if (l->lock >= 0)
		close(l->lock);
}

/* In the layer of a box run with --rm: remove me if you find me unlocked. */
#define RM_MARK "discard"

/* Make or take the layer directory of NAME, locked. */
static int layer_open(box_layer *l, const char *storage, const char *name, const char *rootfs,
                      bool rm, hk_err *err)
{
	_cleanup_free_ char *boxes = NULL, *lockp = NULL, *origin = NULL;
	if (asprintf(&boxes, "%s/boxes", storage) < 0 ||
	    asprintf(&l->dir, "%s/%s", boxes, name) < 0 ||
	    asprintf(&l->upper, "%s/upper", l->dir) < 0 ||
	    asprintf(&l->work, "%s/work", l->dir) < 0 ||
	    asprintf(&l->merged, "%s/merged", l->dir) < 0 ||
	    asprintf(&lockp, "%s/lock", l->dir) < 0 || asprintf(&origin, "%s/rootfs", l->dir) < 0)
		return hk_err_set(err, ENOMEM, "box layer");
	if (mkdir(boxes, 0700) < 0 && errno != EEXIST)
		return hk_err_set(err, errno, "box layer: mkdir %s", boxes);
	if (mkdir(l->dir, 0700) == 0)
		l->made = true;
	else if (errno != EEXIST)
		return hk_err_set(err, errno, "box layer: mkdir %s", l->dir);
	l->lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->lock < 0)
		return hk_err_set(err, errno, "box layer: %s", lockp);
	if (flock(l->lock, LOCK_EX | LOCK_NB) < 0)
		return hk_err_plain(err, EBUSY, "--name %s: a box of that name is running", name);
	if (!l->made) {
		_cleanup_free_ char *was = NULL;
		hk_err ignored;
		hk_read_file(origin, &was, NULL, &ignored);
		if (rm)
			return hk_err_plain(err, EEXIST,
			                    "--name %s: a box of that name kept its layer in %s: "
			                    "go on with it with --rm=false, or remove it with "
			                    "husk box --remove %s",
			                    name, l->dir, name);
		if (!was || strcmp(was, rootfs) != 0)
			return hk_err_plain(err, EEXIST,
			                    "--name %s: the kept layer in %s was made over %s, "
			                    "not %s",
			                    name, l->dir, was ? was : "another root filesystem",
			                    rootfs);
		return 0;
	}
	const char *dirs[] = {l->upper, l->work, l->merged};
	for (size_t i = 0; i < HK_ARRAY_SIZE(dirs); i++)
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return hk_err_set(err, errno, "box layer: mkdir %s", dirs[i]);
	if (rm) {
		_cleanup_free_ char *mark = NULL;
		if (asprintf(&mark, "%s/" RM_MARK, l->dir) < 0)
			return hk_err_set(err, ENOMEM, "box layer");
		int r = hk_write_file_at(AT_FDCWD, mark, "", 0, 1, err);
		if (r < 0)
			return r;
	}
	return hk_write_file_at(AT_FDCWD, origin, rootfs, strlen(rootfs), 1, err);
}

/* Layers of --rm boxes whose husk was killed (SIGKILL, a crash): marked
 * RM_MARK and no longer locked.  Removed before a box starts. */
static void remove_orphans(const char *storage, const hk_idmaps *maps)
{
	_cleanup_free_ char *boxes = NULL;
	if (asprintf(&boxes, "%s/boxes", storage) < 0)
		return;
	_cleanup_dir_ DIR *d = opendir(boxes);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *dir = NULL, *mark = NULL, *lockp = NULL;
		if (asprintf(&dir, "%s/%s", boxes, de->d_name) < 0 ||
		    asprintf(&mark, "%s/" RM_MARK, dir) < 0 ||
		    asprintf(&lockp, "%s/lock", dir) < 0 || access(mark, F_OK) < 0)
			continue;
		_cleanup_close_ int lock = open(lockp, O_RDWR | O_CLOEXEC);
		hk_err ignored;
		if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
			hk_tree_remove(dir, maps, &ignored);
	}
}

static char *default_name(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	char *s = NULL;
	if (asprintf(&s, "box-%08x", v) < 0)
		return NULL;
	return s;
}

/* An error about a resource names the box option that asked for it. */
static void name_option(hk_err *err)
{
	static const struct {
		const char *field, *option;
	} map[] = {
	    {"linux.resources.memory.swap", "--memory-swap"},
	    {"linux.resources.memory", "--memory"},
	    {"linux.resources.pids", "--pids-limit"},
	    {"linux.resources.cpu", "--cpus"},
	};
	for (size_t i = 0; i < HK_ARRAY_SIZE(map); i++)
		if (strstr(err->msg, map[i].field)) {
			hk_err_wrap(err, "%s", map[i].option);
			return;
		}
}

static int run_in_layer(const hk_box_opts *o, const char *name, const char *storage,
                        const char *rootfs, const hk_idmaps *maps, const char *json, int *exit_code,
                        hk_err *err)
{
	box_layer l = {.lock = -1};
	int r = layer_open(&l, storage, name, rootfs, o->rm, err);
	hk_spec *spec = NULL;
	if (r == 0 && (r = hk_spec_parse(json, strlen(json), &spec, err)) < 0)
		hk_err_wrap(err, "box config");
	if (r == 0) {
		free(spec->root_path);
		if (!(spec->root_path = strdup(l.merged)))
			r = hk_err_set(err, ENOMEM, "box");
	}
	if (r == 0) {
		hk_overlay ov = {.lower = rootfs, .upper = l.upper, .work = l.work};
		hk_container_opts co = {
		    .id = name, .bundle = l.dir, .spec = spec, .foreground = true, .overlay = &ov};
		r = hk_run_foreground(&co, NULL, NULL, exit_code, err);
		if (r < 0)
			name_option(err);
	}
	hk_spec_free(spec);
	/* the layer goes with --rm, or when this run made it and never ran */
	if (l.made && (o->rm || *exit_code < 0)) {
		hk_err e2 = {0};
		if (hk_tree_remove(l.dir, maps, &e2) < 0 && r == 0) {
			*err = e2;
			r = -e2.code;
		}
	}
	layer_release(&l);
	return r;
}

/* An ordinary user's id maps (*MP = MAPS); root: none (*MP = NULL). */
static int user_maps(hk_idmaps *maps, const hk_idmaps **mp, hk_err *err)
{
	*mp = NULL;
	if (hk_host_root())
		return 0;
	int r = hk_idmaps_for_user(maps, err);
	if (r == 0)
		*mp = maps;
	return r;
}

int hk_box_run(const hk_box_opts *o, int *exit_code, hk_err *err)
{
	*exit_code = -1;
	hk_idmaps maps = {0};
	const hk_idmaps *mp = NULL;
	int r = user_maps(&maps, &mp, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *gen = o->name ? NULL : default_name();
	const char *name = o->name ? o->name : gen;
	_cleanup_free_ char *storage = NULL, *rootfs = NULL, *json = NULL;
	if (!name)
		return hk_err_set(err, ENOMEM, "box");
	if ((r = hk_storage_dir(&storage, err)) < 0)
		return r;
	if (mp && !mp->full && !o->print_spec)
		note_single_map(storage, mp);
	if ((r = hk_image_resolve(o->source, storage, mp, isatty(STDERR_FILENO), &rootfs, err)) < 0)
		return r;
	enum hk_cgroup_layout layout;
	if ((r = hk_cgroup_layout(&layout, err)) < 0)
		return r;
	hk_box_ctx ctx = {.rootfs = rootfs,
	                  .name = name,
	                  .maps = mp,
	                  .cgroup_v2 = layout == HK_CGROUP_V2,
	                  .cgroups_path = NULL};
	if ((r = hk_box_spec_json(o, &ctx, &json, err)) < 0)
		return r;
	if (o->print_spec) {
		fputs(json, stdout);
		*exit_code = 0;
		return 0;
	}
	remove_orphans(storage, mp);
	return run_in_layer(o, name, storage, rootfs, mp, json, exit_code, err);
}

int hk_box_remove(const char *name, hk_err *err)
{
	hk_idmaps maps = {0};
	const hk_idmaps *mp = NULL;
	int r = user_maps(&maps, &mp, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *storage = NULL, *dir = NULL, *lockp = NULL;
	if ((r = hk_storage_dir(&storage, err)) < 0)
		return r;
	if (asprintf(&dir, "%s/boxes/%s", storage, name) < 0 ||
	    asprintf(&lockp, "%s/lock", dir) < 0)
		return hk_err_set(err, ENOMEM, "--remove");
	_cleanup_close_ int lock = open(lockp, O_RDWR | O_CLOEXEC);
	if (lock < 0)
		return hk_err_set(
		    err, errno, "--remove %s: no layer kept by a box of that name (%s)", name, dir);
	if (flock(lock, LOCK_EX | LOCK_NB) < 0)
		return hk_err_plain(err, EBUSY, "--remove %s: the box is running", name);
	return hk_tree_remove(dir, mp, err);
}
