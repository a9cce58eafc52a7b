/* types.h - the OCI runtime config as plain C data.
 *
 * No parsing and no system calls here: these are the nouns every layer
 * shares (the spec parser above fills them, the linux mechanisms below
 * read them).  Optional scalars carry a has_* flag; string arrays are
 * NULL-terminated and also carry their count. */
#ifndef HUSK_OCI_TYPES_H
#define HUSK_OCI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hk_ns_type {
	HK_NS_PID,
	HK_NS_NETWORK,
	HK_NS_MOUNT,
	HK_NS_IPC,
	HK_NS_UTS,
	HK_NS_USER,
	HK_NS_CGROUP,
	HK_NS_TIME,
	HK_NS_COUNT
};

typedef struct hk_kv {
	char *key;
	char *value;
} hk_kv;

typedef struct hk_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
} hk_idmap;

typedef struct hk_mount {
	char *destination; /* required, absolute */
	char *type;        /* may be NULL */
	char *source;      /* may be NULL */
	char **options;
	size_t n_options;
	hk_idmap *uid_mappings;
	size_t n_uid_mappings;
	hk_idmap *gid_mappings;
	size_t n_gid_mappings;
} hk_mount;

typedef struct hk_rlimit {
	int resource; /* RLIMIT_* */
	char *type;   /* "RLIMIT_NOFILE" */
	uint64_t soft;
	uint64_t hard;
} hk_rlimit;

/* Capability sets as bitmasks (bit N = capability number N). */
typedef struct hk_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
} hk_caps;

typedef struct hk_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
} hk_user;

/* process.scheduler, in sched_setattr(2) terms. */
typedef struct hk_sched {
	int policy;                         /* SCHED_OTHER ... SCHED_DEADLINE */
	int nice;                           /* -20..19 */
	int priority;                       /* 1..99 for SCHED_FIFO/SCHED_RR, else 0 */
	uint64_t flags;                     /* SCHED_FLAG_* bits */
	uint64_t runtime, deadline, period; /* ns, SCHED_DEADLINE only */
} hk_sched;

typedef struct hk_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	hk_user user;
	char **args; /* at least one element */
	size_t n_args;
	char **env;
	size_t n_env;
	char *cwd; /* required, absolute */
	bool has_capabilities;
	hk_caps caps;
	hk_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_scheduler;
	hk_sched scheduler;
	bool has_io_priority;
	int io_priority_class; /* IOPRIO_CLASS_RT 1, BE 2, IDLE 3 */
	int io_priority;       /* 0..7 */
	char *apparmor_profile;
	char *selinux_label;
} hk_process;

typedef struct hk_hook {
	char *path; /* required, absolute */
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
} hk_hook;

enum hk_hook_kind {
	HK_HOOK_PRESTART,
	HK_HOOK_CREATE_RUNTIME,
	HK_HOOK_CREATE_CONTAINER,
	HK_HOOK_START_CONTAINER,
	HK_HOOK_POSTSTART,
	HK_HOOK_POSTSTOP,
	HK_HOOK_KIND_COUNT
};

/* "prestart", "createRuntime", ... as in config.json. */
const char *hk_hook_kind_name(enum hk_hook_kind kind);

typedef struct hk_hooks {
	hk_hook *list[HK_HOOK_KIND_COUNT];
	size_t n[HK_HOOK_KIND_COUNT];
} hk_hooks;

typedef struct hk_namespace {
	enum hk_ns_type type;
	char *path; /* NULL: create a new one */
} hk_namespace;

typedef struct hk_device {
	char *path; /* absolute, in the container */
	char type;  /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
} hk_device;

typedef struct hk_device_rule {
	bool allow;
	char type;            /* 'a', 'c' or 'b' ('a' when absent) */
	int64_t major, minor; /* -1 = any */
	char *access;         /* subset of "rwm"; NULL = "rwm" */
} hk_device_rule;

typedef struct hk_weight_device {
	int64_t major, minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
} hk_weight_device;

typedef struct hk_throttle_device {
	int64_t major, minor;
	uint64_t rate;
} hk_throttle_device;

typedef struct hk_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
} hk_hugepage_limit;

typedef struct hk_rdma_limit {
	char *device;
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
} hk_rdma_limit;

typedef struct hk_resources {
	hk_device_rule *devices;
	size_t n_devices;
	struct {
		bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp;
		int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
		bool has_swappiness;
		uint64_t swappiness;
		bool has_disable_oom_killer, disable_oom_killer;
		bool has_use_hierarchy, use_hierarchy;
		bool has_check_before_update, check_before_update;
	} memory;
	struct {
		bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
		    has_realtime_period, has_idle;
		uint64_t shares;
		int64_t quota;
		uint64_t burst;
		uint64_t period;
		int64_t realtime_runtime;
		uint64_t realtime_period;
		int64_t idle;
		char *cpus; /* cpuset list, NULL if absent */
		char *mems;
	} cpu;
	struct {
		bool has_limit;
		int64_t limit; /* <= 0: unlimited */
	} pids;
	struct {
		bool has_weight, has_leaf_weight;
		uint16_t weight, leaf_weight;
		hk_weight_device *weight_device;
		size_t n_weight_device;
		hk_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
		    *throttle_write_iops;
		size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		    n_throttle_write_iops;
	} block_io;
	hk_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		bool has_class_id;
		uint32_t class_id;
		hk_kv *priorities; /* value: decimal priority */
		size_t n_priorities;
	} network;
	hk_rdma_limit *rdma;
	size_t n_rdma;
	hk_kv *unified;
	size_t n_unified;
} hk_resources;

typedef struct hk_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	char *op; /* "SCMP_CMP_EQ", ... */
} hk_seccomp_arg;

typedef struct hk_seccomp_syscall {
	char **names;
	size_t n_names;
	char *action;
	bool has_errno_ret;
	uint32_t errno_ret;
	hk_seccomp_arg *args;
	size_t n_args;
} hk_seccomp_syscall;

typedef struct hk_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	hk_seccomp_syscall *syscalls;
	size_t n_syscalls;
} hk_seccomp;

typedef struct hk_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
} hk_time_offset;

typedef struct hk_linux {
	hk_namespace *namespaces;
	size_t n_namespaces;
	hk_idmap *uid_mappings;
	size_t n_uid_mappings;
	hk_idmap *gid_mappings;
	size_t n_gid_mappings;
	hk_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	hk_resources resources;
	hk_kv *sysctl;
	size_t n_sysctl;
	hk_seccomp *seccomp; /* NULL if absent */
	char *rootfs_propagation;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	bool has_personality;
	char *personality_domain; /* "LINUX" or "LINUX32" */
	hk_time_offset time_monotonic, time_boottime;
} hk_linux;

typedef struct hk_spec {
	char *oci_version;
	char *root_path; /* as written; may be relative to the bundle */
	bool root_readonly;
	hk_mount *mounts;
	size_t n_mounts;
	bool has_process;
	hk_process process;
	char *hostname;
	char *domainname;
	hk_hooks hooks;
	hk_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	hk_linux lnx; /* "linux" is a predefined macro in GNU C */
} hk_spec;

/* The host id that the mappings M (N of them) give the container's id 0,
 * in *HOST; false when none maps it. */
bool hk_idmap_root(const hk_idmap *m, size_t n, uint32_t *host);

/* The namespace entry of TYPE, or NULL when the config does not list it. */
const hk_namespace *hk_spec_namespace(const hk_spec *spec, enum hk_ns_type type);

/* Name <-> type for namespaces ("pid", "network", "mount", "ipc", "uts",
 * "user", "cgroup", "time"). */
const char *hk_ns_type_name(enum hk_ns_type type);
int hk_ns_type_from_name(const char *name); /* -1 if unknown */

#endif
