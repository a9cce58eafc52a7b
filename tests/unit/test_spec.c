/* test_spec.c - unit tests for the config.json parser (src/spec): every
 * field of a full config, hk_spec_load() and the default spec.  (The
 * validation messages: test_spec_errors.c.) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/magic.h>

#include "testutil.h"
#include "linux/caps.h"
#include "linux/cgroup.h"
#include "spec/spec.h"

#include "spectest.h"

static const char *full_config =
    "{'ociVersion':'1.0.2-dev',"
    "'root':{'path':'rootfs','readonly':true},"
    "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
    "  {'destination':'/data','type':'bind','source':'/srv','options':['rbind','ro'],"
    "   'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],"
    "   'gidMappings':[{'containerID':1,'hostID':2000,'size':20}]}],"
    "'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
    "  'user':{'uid':1,'gid':2,'umask':18,'additionalGids':[5,6,4294967295],"
    "          'username':'bob'},"
    "  'args':['sh','-c','true'],'env':['PATH=/bin','A=b'],'cwd':'/tmp',"
    "  'capabilities':{'bounding':['CAP_KILL','CAP_SYS_ADMIN'],'effective':['CAP_KILL'],"
    "    'inheritable':[],'permitted':['CAP_CHOWN','CAP_KILL'],'ambient':['CAP_NET_RAW']},"
    "  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
    "    {'type':'RLIMIT_CORE','soft':18446744073709551615,'hard':18446744073709551615}],"
    "  'noNewPrivileges':true,'oomScoreAdj':-500,'apparmorProfile':'prof',"
    "  'scheduler':{'policy':'SCHED_BATCH','nice':5,"
    "    'flags':['SCHED_FLAG_RESET_ON_FORK','SCHED_FLAG_KEEP_PARAMS']},"
    "  'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':7},"
    "  'selinuxLabel':'lab','unknownField':{'x':1}},"
    "'hostname':'box','domainname':'example.org',"
    "'hooks':{'prestart':[{'path':'/bin/pre','args':['pre','1'],'env':['E=1'],'timeout':5}],"
    "  'createRuntime':[{'path':'/a'},{'path':'/b'}],'createContainer':[{'path':'/c'}],"
    "  'startContainer':[{'path':'/d'}],'poststart':[{'path':'/e'}],"
    "  'poststop':[{'path':'/f','timeout':1}]},"
    "'annotations':{'org.a':'1','b':'two'},"
    "'linux':{"
    "  'namespaces':[{'type':'pid'},{'type':'network','path':'/proc/1/ns/net'},"
    "    {'type':'mount'},{'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},"
    "    {'type':'time'}],"
    "  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    "  'gidMappings':[{'containerID':0,'hostID':200000,'size':65536}],"
    "  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,"
    "     'uid':0,'gid':0},{'path':'/dev/fifo','type':'p'}],"
    "  'cgroupsPath':'/husk/test',"
    "  'resources':{'devices':[{'allow':false,'access':'rwm'},"
    "      {'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}],"
    "    'memory':{'limit':536870912,'reservation':1024,'swap':-1,'kernel':-1,"
    "      'kernelTCP':2048,'swappiness':60,'disableOOMKiller':true,'useHierarchy':false,"
    "      'checkBeforeUpdate':true},"
    "    'cpu':{'shares':1024,'quota':50000,'burst':1000,'period':100000,"
    "      'realtimeRuntime':950000,'realtimePeriod':1000000,'cpus':'0-1','mems':'0',"
    "      'idle':1},"
    "    'pids':{'limit':100},"
    "    'blockIO':{'weight':500,'leafWeight':300,"
    "      'weightDevice':[{'major':8,'minor':0,'weight':600},"
    "                      {'major':8,'minor':16,'leafWeight':700}],"
    "      'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
    "      'throttleWriteBpsDevice':[{'major':8,'minor':1,'rate':2}],"
    "      'throttleReadIOPSDevice':[{'major':8,'minor':2,'rate':3}],"
    "      'throttleWriteIOPSDevice':[{'major':8,'minor':3,'rate':4}]},"
    "    'hugepageLimits':[{'pageSize':'2MB','limit':209715200}],"
    "    'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
    "    'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaObjects':7}},"
    "    'unified':{'memory.high':'1G','io.weight':'50'}},"
    "  'sysctl':{'net.ipv4.ip_forward':'1','kernel.msgmax':'8192'},"
    "  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
    "    'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
    "    'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/l.sock',"
    "    'listenerMetadata':'meta',"
    "    'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
    "      {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
    "       'args':[{'index':0,'value':255,'valueTwo':8,'op':'SCMP_CMP_MASKED_EQ'},"
    "               {'index':1,'value':0,'op':'SCMP_CMP_EQ'}]},"
    "      {'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]},"
    "  'rootfsPropagation':'rslave',"
    "  'maskedPaths':['/proc/kcore','/sys/firmware'],"
    "  'readonlyPaths':['/proc/sys'],"
    "  'mountLabel':'system_u:object_r:container_file_t:s0',"
    "  'personality':{'domain':'LINUX32','flags':[]},"
    "  'timeOffsets':{'monotonic':{'secs':-86400,'nanosecs':5},'boottime':{'secs':7}},"
    "  'intelRdt':{'closID':'x'}},"
    "'vm':{'ignored':true}}";

#define BIT(c) (UINT64_C(1) << (c))

TEST(full_config_top_and_process)
{
	hk_spec *s = parse_ok(q(full_config));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->oci_version, "1.0.2-dev");
	CHECK_STREQ(s->root_path, "rootfs");
	CHECK(s->root_readonly);
	CHECK(s->n_mounts == 2);
	CHECK_STREQ(s->mounts[0].destination, "/proc");
	CHECK_STREQ(s->mounts[0].type, "proc");
	CHECK(s->mounts[0].options == NULL && s->mounts[0].n_options == 0);
	CHECK_STREQ(s->mounts[1].source, "/srv");
	CHECK(s->mounts[1].n_options == 2);
	CHECK_STREQ(s->mounts[1].options[1], "ro");
	CHECK(s->mounts[1].options[2] == NULL);
	CHECK(s->mounts[1].n_uid_mappings == 1 && s->mounts[1].uid_mappings[0].host_id == 1000 &&
	      s->mounts[1].uid_mappings[0].size == 10);
	CHECK(s->mounts[1].n_gid_mappings == 1 && s->mounts[1].gid_mappings[0].container_id == 1 &&
	      s->mounts[1].gid_mappings[0].host_id == 2000);

	CHECK(s->has_process);
	hk_process *p = &s->process;
	CHECK(p->terminal);
	CHECK(p->has_console_size && p->console_height == 24 && p->console_width == 80);
	CHECK(p->user.uid == 1 && p->user.gid == 2);
	CHECK(p->user.has_umask && p->user.umask == 18);
	CHECK(p->user.n_additional_gids == 3 && p->user.additional_gids[0] == 5 &&
	      p->user.additional_gids[2] == UINT32_MAX);
	CHECK_STREQ(p->user.username, "bob");
	CHECK(p->n_args == 3);
	CHECK_STREQ(p->args[2], "true");
	CHECK(p->args[3] == NULL);
	CHECK(p->n_env == 2);
	CHECK_STREQ(p->env[1], "A=b");
	CHECK_STREQ(p->cwd, "/tmp");
	CHECK(p->has_capabilities);
	CHECK(p->caps.bounding == (BIT(hk_cap_from_name("CAP_KILL")) | BIT(21)));
	CHECK(p->caps.effective == BIT(5));
	CHECK(p->caps.inheritable == 0);
	CHECK(p->caps.permitted == (BIT(0) | BIT(5)));
	CHECK(p->caps.ambient == BIT(13));
	CHECK(p->n_rlimits == 2);
	CHECK(p->rlimits[0].resource == RLIMIT_NOFILE);
	CHECK_STREQ(p->rlimits[0].type, "RLIMIT_NOFILE");
	CHECK(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 4096);
	CHECK(p->rlimits[1].resource == RLIMIT_CORE && p->rlimits[1].soft == UINT64_MAX &&
	      p->rlimits[1].hard == UINT64_MAX);
	CHECK(p->no_new_privileges);
	CHECK(p->has_oom_score_adj && p->oom_score_adj == -500);
	CHECK(p->has_scheduler && p->scheduler.policy == 3 && p->scheduler.nice == 5 &&
	      p->scheduler.priority == 0 && p->scheduler.flags == (0x01 | 0x10));
	CHECK(p->has_io_priority && p->io_priority_class == 3 && p->io_priority == 7);
	CHECK_STREQ(p->apparmor_profile, "prof");
	CHECK_STREQ(p->selinux_label, "lab");

	CHECK_STREQ(s->hostname, "box");
	CHECK_STREQ(s->domainname, "example.org");
	hk_hooks *h = &s->hooks;
	CHECK(h->n[HK_HOOK_PRESTART] == 1);
	CHECK_STREQ(h->list[HK_HOOK_PRESTART][0].path, "/bin/pre");
	CHECK(h->list[HK_HOOK_PRESTART][0].n_args == 2);
	CHECK_STREQ(h->list[HK_HOOK_PRESTART][0].env[0], "E=1");
	CHECK(h->list[HK_HOOK_PRESTART][0].has_timeout &&
	      h->list[HK_HOOK_PRESTART][0].timeout == 5);
	CHECK(h->n[HK_HOOK_CREATE_RUNTIME] == 2);
	CHECK_STREQ(h->list[HK_HOOK_CREATE_RUNTIME][1].path, "/b");
	CHECK(!h->list[HK_HOOK_CREATE_RUNTIME][1].has_timeout);
	CHECK_STREQ(h->list[HK_HOOK_CREATE_CONTAINER][0].path, "/c");
	CHECK_STREQ(h->list[HK_HOOK_START_CONTAINER][0].path, "/d");
	CHECK_STREQ(h->list[HK_HOOK_POSTSTART][0].path, "/e");
	CHECK_STREQ(h->list[HK_HOOK_POSTSTOP][0].path, "/f");
	CHECK(s->n_annotations == 2);
	CHECK_STREQ(s->annotations[0].key, "org.a");
	CHECK_STREQ(s->annotations[0].value, "1");
	CHECK_STREQ(s->annotations[1].value, "two");
	hk_spec_free(s);
}

TEST(full_config_linux)
{
	hk_spec *s = parse_ok(q(full_config));
	CHECK(s != NULL);
	if (!s)
		return;
	hk_linux *l = &s->lnx;
	CHECK(s->has_linux);
	CHECK(l->n_namespaces == 8);
	CHECK(l->namespaces[0].type == HK_NS_PID && l->namespaces[0].path == NULL);
	CHECK(l->namespaces[7].type == HK_NS_TIME);
	const hk_namespace *net = hk_spec_namespace(s, HK_NS_NETWORK);
	CHECK(net != NULL && net->path && strcmp(net->path, "/proc/1/ns/net") == 0);
	CHECK(hk_spec_namespace(s, HK_NS_CGROUP) == &l->namespaces[6]);
	CHECK(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000 &&
	      l->uid_mappings[0].size == 65536);
	CHECK(l->n_gid_mappings == 1 && l->gid_mappings[0].host_id == 200000);
	CHECK(l->n_devices == 2);
	CHECK_STREQ(l->devices[0].path, "/dev/fuse");
	CHECK(l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229);
	CHECK(l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
	CHECK(l->devices[0].has_uid && l->devices[0].has_gid && l->devices[0].gid == 0);
	CHECK(l->devices[1].type == 'p' && !l->devices[1].has_file_mode);
	CHECK_STREQ(l->cgroups_path, "/husk/test");

	CHECK(l->has_resources);
	hk_resources *r = &l->resources;
	CHECK(r->n_devices == 2);
	CHECK(!r->devices[0].allow && r->devices[0].type == 'a' && r->devices[0].major == -1 &&
	      r->devices[0].minor == -1);
	CHECK_STREQ(r->devices[0].access, "rwm");
	CHECK(r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].major == 1 &&
	      r->devices[1].minor == 3);
	CHECK(r->memory.has_limit && r->memory.limit == 536870912);
	CHECK(r->memory.has_reservation && r->memory.reservation == 1024);
	CHECK(r->memory.has_swap && r->memory.swap == -1);
	CHECK(r->memory.has_kernel && r->memory.kernel == -1);
	CHECK(r->memory.has_kernel_tcp && r->memory.kernel_tcp == 2048);
	CHECK(r->memory.has_swappiness && r->memory.swappiness == 60);
	CHECK(r->memory.has_disable_oom_killer && r->memory.disable_oom_killer);
	CHECK(r->memory.has_use_hierarchy && !r->memory.use_hierarchy);
	CHECK(r->memory.has_check_before_update && r->memory.check_before_update);
	CHECK(r->cpu.has_shares && r->cpu.shares == 1024);
	CHECK(r->cpu.has_quota && r->cpu.quota == 50000);
	CHECK(r->cpu.has_burst && r->cpu.burst == 1000);
	CHECK(r->cpu.has_period && r->cpu.period == 100000);
	CHECK(r->cpu.has_realtime_runtime && r->cpu.realtime_runtime == 950000);
	CHECK(r->cpu.has_realtime_period && r->cpu.realtime_period == 1000000);
	CHECK(r->cpu.has_idle && r->cpu.idle == 1);
	CHECK_STREQ(r->cpu.cpus, "0-1");
	CHECK_STREQ(r->cpu.mems, "0");
	CHECK(r->pids.has_limit && r->pids.limit == 100);
	CHECK(r->block_io.has_weight && r->block_io.weight == 500);
	CHECK(r->block_io.has_leaf_weight && r->block_io.leaf_weight == 300);
	CHECK(r->block_io.n_weight_device == 2);
	CHECK(r->block_io.weight_device[0].major == 8 && r->block_io.weight_device[0].has_weight &&
	      r->block_io.weight_device[0].weight == 600 &&
	      !r->block_io.weight_device[0].has_leaf_weight);
	CHECK(r->block_io.weight_device[1].minor == 16 &&
	      r->block_io.weight_device[1].has_leaf_weight &&
	      r->block_io.weight_device[1].leaf_weight == 700);
	CHECK(r->block_io.n_throttle_read_bps == 1 &&
	      r->block_io.throttle_read_bps[0].rate == 1048576);
	CHECK(r->block_io.n_throttle_write_bps == 1 &&
	      r->block_io.throttle_write_bps[0].rate == 2 &&
	      r->block_io.throttle_write_bps[0].minor == 1);
	CHECK(r->block_io.n_throttle_read_iops == 1 && r->block_io.throttle_read_iops[0].rate == 3);
	CHECK(r->block_io.n_throttle_write_iops == 1 &&
	      r->block_io.throttle_write_iops[0].rate == 4);
	CHECK(r->n_hugepage_limits == 1 && r->hugepage_limits[0].limit == 209715200);
	CHECK_STREQ(r->hugepage_limits[0].page_size, "2MB");
	CHECK(r->network.has_class_id && r->network.class_id == 1048577);
	CHECK(r->network.n_priorities == 1);
	CHECK_STREQ(r->network.priorities[0].key, "eth0");
	CHECK_STREQ(r->network.priorities[0].value, "500");
	CHECK(r->n_rdma == 2);
	CHECK_STREQ(r->rdma[0].device, "mlx5_1");
	CHECK(r->rdma[0].has_hca_handles && r->rdma[0].hca_handles == 3 &&
	      r->rdma[0].has_hca_objects && r->rdma[0].hca_objects == 10000);
	CHECK(!r->rdma[1].has_hca_handles && r->rdma[1].hca_objects == 7);
	CHECK(r->n_unified == 2);
	CHECK_STREQ(r->unified[0].key, "memory.high");
	CHECK_STREQ(r->unified[1].value, "50");

	CHECK(l->n_sysctl == 2);
	CHECK_STREQ(l->sysctl[1].key, "kernel.msgmax");
	CHECK_STREQ(l->sysctl[1].value, "8192");
	hk_seccomp *sc = l->seccomp;
	CHECK(sc != NULL);
	if (sc) {
		CHECK_STREQ(sc->default_action, "SCMP_ACT_ERRNO");
		CHECK(sc->has_default_errno_ret && sc->default_errno_ret == 1);
		CHECK(sc->n_architectures == 2);
		CHECK_STREQ(sc->architectures[1], "SCMP_ARCH_X86");
		CHECK(sc->n_flags == 1);
		CHECK_STREQ(sc->listener_path, "/run/l.sock");
		CHECK_STREQ(sc->listener_metadata, "meta");
		CHECK(sc->n_syscalls == 3);
		CHECK(sc->syscalls[0].n_names == 2 && !sc->syscalls[0].has_errno_ret);
		CHECK_STREQ(sc->syscalls[0].names[1], "write");
		CHECK(sc->syscalls[1].has_errno_ret && sc->syscalls[1].errno_ret == 38);
		CHECK(sc->syscalls[1].n_args == 2);
		CHECK(sc->syscalls[1].args[0].value == 255 &&
		      sc->syscalls[1].args[0].value_two == 8);
		CHECK_STREQ(sc->syscalls[1].args[0].op, "SCMP_CMP_MASKED_EQ");
		CHECK(sc->syscalls[1].args[1].index == 1);
		CHECK_STREQ(sc->syscalls[2].action, "SCMP_ACT_NOTIFY");
	}
	CHECK_STREQ(l->rootfs_propagation, "rslave");
	CHECK(l->n_masked_paths == 2 && l->masked_paths[2] == NULL);
	CHECK_STREQ(l->masked_paths[1], "/sys/firmware");
	CHECK(l->n_readonly_paths == 1);
	CHECK_STREQ(l->readonly_paths[0], "/proc/sys");
	CHECK_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0");
	CHECK(l->has_personality);
	CHECK_STREQ(l->personality_domain, "LINUX32");
	CHECK(l->time_monotonic.present && l->time_monotonic.secs == -86400 &&
	      l->time_monotonic.nanosecs == 5);
	CHECK(l->time_boottime.present && l->time_boottime.secs == 7 &&
	      l->time_boottime.nanosecs == 0);
	hk_spec_free(s);
}

TEST(minimal_config)
{
	hk_spec *s = parse_ok(q("{'ociVersion':'1.0.0','root':{'path':'/r'}}"));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!s->has_process && !s->has_linux && s->n_mounts == 0 && s->mounts == NULL);
	CHECK(!s->root_readonly && s->hostname == NULL);
	CHECK(hk_spec_namespace(s, HK_NS_PID) == NULL);
	hk_spec_free(s);
	/* null counts as absent; process without user is uid 0/gid 0. */
	s = parse_ok(q("{'ociVersion':'1.1.0','root':{'path':'r','readonly':null},"
	               "'hostname':null,'process':{'args':['x'],'cwd':'/','env':null,"
	               "'terminal':false},'linux':{'resources':{'memory':{'limit':null}}}}"));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->has_process && s->process.user.uid == 0 && s->process.user.gid == 0);
	CHECK(!s->process.user.has_umask && !s->process.has_capabilities);
	CHECK(s->process.env == NULL && s->process.n_env == 0);
	CHECK(!s->process.has_oom_score_adj && !s->process.has_console_size);
	CHECK(!s->process.has_scheduler && !s->process.has_io_priority);
	CHECK(s->has_linux && s->lnx.has_resources && !s->lnx.resources.memory.has_limit);
	CHECK(s->lnx.seccomp == NULL);
	hk_spec_free(s);
}

TEST(relative_mount_destination_is_made_absolute)
{
	hk_spec *s =
	    parse_ok(q("{'ociVersion':'1.0.0','root':{'path':'r'},'mounts':[{'destination':"
	               "'data','type':'tmpfs','source':'tmpfs','options':[]}]}"));
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->mounts[0].destination, "/data");
	CHECK(s->mounts[0].n_options == 0 && s->mounts[0].options && !s->mounts[0].options[0]);
	hk_spec_free(s);
}

TEST(ns_names)
{
	for (int t = 0; t < HK_NS_COUNT; t++)
		CHECK(hk_ns_type_from_name(hk_ns_type_name((enum hk_ns_type)t)) == t);
	CHECK_STREQ(hk_ns_type_name(HK_NS_NETWORK), "network");
	CHECK_STREQ(hk_ns_type_name(HK_NS_TIME), "time");
	CHECK(hk_ns_type_from_name("net") == -1);
	CHECK(hk_ns_type_name(HK_NS_COUNT) == NULL);
}

TEST(load_prefixes_basename)
{
	char dir[] = "/tmp/husk-spec-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[256], expect[512];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	hk_spec *s = NULL;
	hk_err err = {0};

	CHECK(hk_spec_load(path, &s, &err) == -ENOENT);
	snprintf(expect, sizeof(expect), "config.json: open %s: no such file or directory", path);
	CHECK_STREQ(err.msg, expect);

	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(q("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'cwd':'/'}}"), f);
		fclose(f);
	}
	CHECK(hk_spec_load(path, &s, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "config.json: process.args: required");

	/* A relative path is shown as an absolute one in open errors. */
	char cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(dir) == 0);
	CHECK(hk_spec_load("nope.json", &s, &err) == -ENOENT);
	snprintf(expect, sizeof(expect), "nope.json: open %s/nope.json: no such file or directory",
	         dir);
	CHECK_STREQ(err.msg, expect);
	CHECK(hk_spec_load("config.json", &s, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "config.json: process.args: required");

	f = fopen(path, "w");
	if (f) {
		fputs(q("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'cwd':'/','args':"
		        "['true']}}"),
		      f);
		fclose(f);
	}
	CHECK(hk_spec_load("./config.json", &s, &err) == 0);
	CHECK(s && s->has_process && strcmp(s->process.args[0], "true") == 0);
	hk_spec_free(s);
	CHECK(chdir(cwd) == 0);
	unlink(path);
	CHECK(rmdir(dir) == 0);
}

static bool has_strv(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static size_t cgroup2_host(void)
{
	enum hk_cgroup_layout layout;
	hk_err err;
	return hk_cgroup_layout(&layout, &err) == 0 && layout == HK_CGROUP_V2;
}

TEST(default_spec)
{
	char *json = hk_spec_default_json(false);
	CHECK(json != NULL);
	if (!json)
		return;
	size_t len = strlen(json);
	CHECK(len > 0 && json[len - 1] == '\n');
	CHECK(strstr(json, "\t\"ociVersion\": \"" HK_OCI_VERSION "\",\n") != NULL);
	hk_spec *s = parse_ok(json);
	free(json);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->oci_version, HK_OCI_VERSION);
	CHECK_STREQ(s->root_path, "rootfs");
	CHECK(s->root_readonly);
	CHECK_STREQ(s->hostname, "runc");
	CHECK(s->has_process && s->process.terminal && s->process.n_args == 1);
	CHECK_STREQ(s->process.args[0], "sh");
	CHECK_STREQ(s->process.cwd, "/");
	CHECK(s->process.n_env == 2);
	CHECK_STREQ(s->process.env[1], "TERM=xterm");
	uint64_t caps = BIT(hk_cap_from_name("CAP_AUDIT_WRITE")) |
	                BIT(hk_cap_from_name("CAP_KILL")) |
	                BIT(hk_cap_from_name("CAP_NET_BIND_SERVICE"));
	CHECK(s->process.caps.bounding == caps && s->process.caps.effective == caps &&
	      s->process.caps.permitted == caps && s->process.caps.ambient == caps &&
	      s->process.caps.inheritable == 0);
	CHECK(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
	      s->process.rlimits[0].soft == 1024 && s->process.rlimits[0].hard == 1024);
	CHECK(s->process.no_new_privileges);
	CHECK(s->n_mounts == 7);
	CHECK_STREQ(s->mounts[0].destination, "/proc");
	CHECK_STREQ(s->mounts[2].destination, "/dev/pts");
	CHECK(has_strv(s->mounts[2].options, s->mounts[2].n_options, "gid=5"));
	CHECK_STREQ(s->mounts[5].type, "sysfs");
	CHECK_STREQ(s->mounts[6].destination, "/sys/fs/cgroup");
	/* runc adds a cgroup namespace on pure cgroup v2 hosts */
	CHECK(s->lnx.n_namespaces == 5 + cgroup2_host());
	CHECK((hk_spec_namespace(s, HK_NS_CGROUP) != NULL) == (cgroup2_host() == 1));
	static const enum hk_ns_type want[] = {HK_NS_PID, HK_NS_NETWORK, HK_NS_IPC, HK_NS_UTS,
	                                       HK_NS_MOUNT};
	for (size_t i = 0; i < 5; i++)
		CHECK(s->lnx.namespaces[i].type == want[i] && !s->lnx.namespaces[i].path);
	CHECK(hk_spec_namespace(s, HK_NS_USER) == NULL);
	CHECK(s->lnx.has_resources && s->lnx.resources.n_devices == 1 &&
	      !s->lnx.resources.devices[0].allow && s->lnx.resources.devices[0].type == 'a');
	CHECK(s->lnx.n_masked_paths == 10 && s->lnx.n_readonly_paths == 5);
	CHECK_STREQ(s->lnx.masked_paths[9], "/proc/scsi");
	CHECK_STREQ(s->lnx.readonly_paths[4], "/proc/sysrq-trigger");
	CHECK(s->lnx.n_uid_mappings == 0);
	hk_spec_free(s);
}

TEST(default_spec_rootless)
{
	char *json = hk_spec_default_json(true);
	CHECK(json != NULL);
	if (!json)
		return;
	hk_spec *s = parse_ok(json);
	free(json);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->lnx.n_namespaces == 5 + cgroup2_host());
	CHECK(hk_spec_namespace(s, HK_NS_NETWORK) == NULL);
	CHECK(hk_spec_namespace(s, HK_NS_USER) == &s->lnx.namespaces[4 + cgroup2_host()]);
	CHECK(hk_spec_namespace(s, HK_NS_PID) != NULL && hk_spec_namespace(s, HK_NS_MOUNT));
	CHECK(s->lnx.n_uid_mappings == 1 && s->lnx.uid_mappings[0].container_id == 0 &&
	      s->lnx.uid_mappings[0].host_id == geteuid() && s->lnx.uid_mappings[0].size == 1);
	CHECK(s->lnx.n_gid_mappings == 1 && s->lnx.gid_mappings[0].host_id == getegid() &&
	      s->lnx.gid_mappings[0].size == 1);
	CHECK(!s->lnx.has_resources);
	CHECK(s->n_mounts == 7);
	CHECK(!has_strv(s->mounts[2].options, s->mounts[2].n_options, "gid=5"));
	CHECK(has_strv(s->mounts[2].options, s->mounts[2].n_options, "mode=0620"));
	CHECK_STREQ(s->mounts[5].destination, "/sys");
	CHECK_STREQ(s->mounts[5].type, "none");
	CHECK_STREQ(s->mounts[5].source, "/sys");
	CHECK(s->mounts[5].n_options == 5);
	CHECK_STREQ(s->mounts[5].options[0], "rbind");
	CHECK(s->lnx.n_masked_paths == 10);
	hk_spec_free(s);
}

int main(void)
{
	RUN(full_config_top_and_process);
	RUN(full_config_linux);
	RUN(minimal_config);
	RUN(relative_mount_destination_is_made_absolute);
	RUN(ns_names);
	RUN(load_prefixes_basename);
	RUN(default_spec);
	RUN(default_spec_rootless);
	return check_summary();
}
