/* test_spec_errors.c - unit tests for the config.json parser's errors:
 * each validation message names its JSON path, integer type/range checks,
 * JSON syntax errors.  (test_spec.c: what a valid config parses to.) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "spec/spec.h"
#include "spectest.h"
#include "util/debug.h"

TEST(errors_process)
{
	CHECK_STREQ(err_of("'process':{'cwd':'/'}"), "process.args: required");
	CHECK_STREQ(err_of("'process':{'args':[],'cwd':'/'}"), "process.args: must not be empty");
	CHECK_STREQ(err_of("'process':{'args':'sh','cwd':'/'}"),
	            "process.args: expected array of strings");
	CHECK_STREQ(err_of("'process':{'args':['a',1],'cwd':'/'}"),
	            "process.args: expected array of strings");
	CHECK_STREQ(err_of("'process':{'args':['sh']}"), "process.cwd: required");
	CHECK_STREQ(err_of("'process':{'args':['sh'],'cwd':'tmp'}"),
	            "process.cwd: must be an absolute path");
	CHECK_STREQ(err_of("'process':[]"), "process: expected object");
	CHECK_STREQ(err_of(PROC("'terminal':1")), "process.terminal: expected boolean");
	CHECK_STREQ(err_of(PROC("'capabilities':{'bounding':['CAP_KILL','CAP_FOO']}")),
	            "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"");
	CHECK_STREQ(err_of(PROC("'capabilities':{'ambient':['cap_kill']}")),
	            "process.capabilities.ambient[0]: unknown capability \"cap_kill\"");
	CHECK_STREQ(err_of(PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]")),
	            "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	CHECK_STREQ(err_of(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
	                        "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]")),
	            "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	CHECK_STREQ(err_of(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]")),
	            "process.rlimits[0].soft: required");
	CHECK_STREQ(err_of(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':2,'hard':1}]")),
	            "process.rlimits[0]: soft limit is above the hard limit");
	CHECK_STREQ(err_of(PROC("'user':{'uid':4294967296,'gid':0}")),
	            "process.user.uid: out of range");
	CHECK_STREQ(err_of(PROC("'user':{'uid':-1,'gid':0}")), "process.user.uid: out of range");
	CHECK_STREQ(err_of(PROC("'user':{'uid':0,'gid':'0'}")),
	            "process.user.gid: expected integer");
	CHECK_STREQ(err_of(PROC("'user':{'uid':0,'gid':0,'additionalGids':[1,2.5]}")),
	            "process.user.additionalGids[1]: expected integer");
	CHECK_STREQ(err_of(PROC("'oomScoreAdj':1001")),
	            "process.oomScoreAdj: out of range (-1000..1000)");
	CHECK_STREQ(err_of(PROC("'oomScoreAdj':-1001")),
	            "process.oomScoreAdj: out of range (-1000..1000)");
	CHECK_STREQ(err_of(PROC("'oomScoreAdj':1000")), "(ok)");
}

TEST(errors_scheduler_io_priority)
{
	CHECK_STREQ(err_of(PROC("'ioPriority':{'class':'IOPRIO_CLASS_X','priority':1}")),
	            "process.ioPriority.class: unknown class \"IOPRIO_CLASS_X\"");
	CHECK_STREQ(err_of(PROC("'ioPriority':{'priority':1}")),
	            "process.ioPriority.class: required");
	CHECK_STREQ(err_of(PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}")),
	            "process.ioPriority.priority: out of range (0..7)");
	CHECK_STREQ(err_of(PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':-1}")),
	            "process.ioPriority.priority: out of range (0..7)");
	CHECK_STREQ(err_of(PROC("'ioPriority':{'class':'IOPRIO_CLASS_RT'}")), "(ok)");
	CHECK_STREQ(err_of(PROC("'scheduler':{'nice':1}")), "process.scheduler.policy: required");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_FOO'}")),
	            "process.scheduler.policy: unknown policy \"SCHED_FOO\"");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_OTHER','nice':20}")),
	            "process.scheduler.nice: out of range (-20..19)");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_FIFO','priority':100}")),
	            "process.scheduler.priority: out of range (0..99)");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_RR'}")),
	            "process.scheduler.priority: SCHED_RR needs a priority in 1..99");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_BATCH','priority':1}")),
	            "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_X']}")),
	            "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_X\"");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_OTHER','flags':[1]}")),
	            "process.scheduler.flags[0]: expected string");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_IDLE','period':1000000}")),
	            "process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_DEADLINE','runtime':-1}")),
	            "process.scheduler.runtime: out of range");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_DEADLINE','runtime':1000000,"
	                        "'deadline':2000000,'period':3000000}")),
	            "(ok)");
	CHECK_STREQ(err_of(PROC("'scheduler':{'policy':'SCHED_FIFO','priority':99,"
	                        "'flags':['SCHED_FLAG_RESET_ON_FORK']}")),
	            "(ok)");
	CHECK_STREQ(err_of(PROC("'consoleSize':{'height':1}")),
	            "process.consoleSize.width: required");
}

TEST(errors_top_level)
{
	CHECK_STREQ(err_of("{'ociVersion':'2.0.0','root':{'path':'r'}}"),
	            "ociVersion: unsupported version \"2.0.0\" (husk supports 1.x)");
	CHECK_STREQ(err_of("{'ociVersion':'0.9.0','root':{'path':'r'}}"),
	            "ociVersion: unsupported version \"0.9.0\" (husk supports 1.x)");
	CHECK_STREQ(err_of("{'ociVersion':'abc','root':{'path':'r'}}"),
	            "ociVersion: \"abc\" is not a valid semantic version");
	CHECK_STREQ(err_of("{'ociVersion':'1.0','root':{'path':'r'}}"),
	            "ociVersion: \"1.0\" is not a valid semantic version");
	CHECK_STREQ(err_of("{'ociVersion':'01.0.0','root':{'path':'r'}}"),
	            "ociVersion: \"01.0.0\" is not a valid semantic version");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0-','root':{'path':'r'}}"),
	            "ociVersion: \"1.0.0-\" is not a valid semantic version");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0-01','root':{'path':'r'}}"),
	            "ociVersion: \"1.0.0-01\" is not a valid semantic version");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0-rc.1+build.5','root':{'path':'r'}}"), "(ok)");
	CHECK_STREQ(err_of("{'ociVersion':'1.3.0-dev','root':{'path':'r'}}"), "(ok)");
	CHECK_STREQ(err_of("{'root':{'path':'r'}}"), "ociVersion: required");
	CHECK_STREQ(err_of("{'ociVersion':1,'root':{'path':'r'}}"), "ociVersion: expected string");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0'}"), "root: required");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0','root':{}}"), "root.path: required");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0','root':{'path':''}}"),
	            "root.path: must not be empty");
	CHECK_STREQ(err_of("'mounts':[{'destination':'/a'},{'type':'tmpfs'}]"),
	            "mounts[1].destination: required");
	CHECK_STREQ(err_of("'mounts':[{'destination':'/a','options':'ro'}]"),
	            "mounts[0].options: expected array of strings");
	CHECK_STREQ(err_of("'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,"
	                   "'hostID':1,'size':1}]}]"),
	            "mounts[0]: uidMappings and gidMappings must be given together");
	CHECK_STREQ(err_of("'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,"
	                   "'hostID':1}],'gidMappings':[]}]"),
	            "mounts[0].uidMappings[0].size: required");
	CHECK_STREQ(err_of("'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,"
	                   "'hostID':1,'size':0}]}]"),
	            "mounts[0].uidMappings[0].size: must be > 0");
	CHECK_STREQ(err_of("'mounts':{}"), "mounts: expected array");
	CHECK_STREQ(err_of("'hooks':{'prestart':[{'path':'hook'}]}"),
	            "hooks.prestart[0].path: must be an absolute path");
	CHECK_STREQ(err_of("'hooks':{'poststop':[{'path':'/h'},{'path':'/h','timeout':0}]}"),
	            "hooks.poststop[1].timeout: must be > 0");
	CHECK_STREQ(err_of("'hooks':{'createRuntime':[{'args':[]}]}"),
	            "hooks.createRuntime[0].path: required");
	CHECK_STREQ(err_of("'hooks':{'poststart':[{'path':'/h','timeout':1.5}]}"),
	            "hooks.poststart[0].timeout: expected integer");
	CHECK_STREQ(err_of("'annotations':{'a':'b','c':3}"), "annotations.c: expected string");
}

TEST(errors_linux)
{
	CHECK_STREQ(err_of("'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'foo'}]}"),
	            "linux.namespaces[2].type: unknown namespace \"foo\"");
	CHECK_STREQ(err_of("'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'uts'},"
	                   "{'type':'pid'}]}"),
	            "linux.namespaces[3].type: duplicate namespace \"pid\"");
	CHECK_STREQ(err_of("'linux':{'namespaces':[{'path':'/x'}]}"),
	            "linux.namespaces[0].type: required");
	CHECK_STREQ(err_of("'linux':{'namespaces':[{'type':'net','path':'x'}]}"),
	            "linux.namespaces[0].type: unknown namespace \"net\"");
	CHECK_STREQ(err_of("'linux':{'namespaces':[{'type':'network','path':'x'}]}"),
	            "linux.namespaces[0].path: must be an absolute path");
	CHECK_STREQ(err_of("'linux':{'devices':[{'path':'/dev/x','type':'x'}]}"),
	            "linux.devices[0].type: unknown device type \"x\"");
	CHECK_STREQ(err_of("'linux':{'devices':[{'path':'/dev/x','type':'c','major':1}]}"),
	            "linux.devices[0].minor: required");
	CHECK_STREQ(err_of("'linux':{'devices':[{'path':'dev/x','type':'c'}]}"),
	            "linux.devices[0].path: must be an absolute path");
	CHECK_STREQ(err_of("'linux':{'rootfsPropagation':'foo'}"),
	            "linux.rootfsPropagation: unknown propagation \"foo\"");
	CHECK_STREQ(err_of("'linux':{'maskedPaths':['/a','b']}"),
	            "linux.maskedPaths[1]: must be an absolute path");
	CHECK_STREQ(err_of("'linux':{'readonlyPaths':['proc']}"),
	            "linux.readonlyPaths[0]: must be an absolute path");
	CHECK_STREQ(err_of("'linux':{'personality':{'domain':'LINUX64'}}"),
	            "linux.personality.domain: unknown domain \"LINUX64\"");
	CHECK_STREQ(err_of("'linux':{'personality':{}}"), "linux.personality.domain: required");
	CHECK_STREQ(err_of("'linux':{'personality':{'domain':'LINUX','flags':[1]}}"),
	            "linux.personality.flags: expected array of strings");
	CHECK_STREQ(err_of("'linux':{'personality':{'domain':'LINUX','flags':'X'}}"),
	            "linux.personality.flags: expected array of strings");
	CHECK_STREQ(err_of("'linux':{'uidMappings':[{'containerID':0,'hostID':0,'size':1}]}"),
	            "linux.uidMappings: mappings need a user namespace");
	CHECK_STREQ(err_of("'linux':{'uidMappings':[{'containerID':0,'hostID':4294967295,"
	                   "'size':2}],'namespaces':[{'type':'user'}]}"),
	            "linux.uidMappings[0]: range exceeds 32-bit ids");
	CHECK_STREQ(err_of("'linux':{'timeOffsets':{'realtime':{'secs':1}},"
	                   "'namespaces':[{'type':'time'}]}"),
	            "linux.timeOffsets.realtime: unknown clock");
	CHECK_STREQ(err_of("'linux':{'timeOffsets':{'boottime':{'secs':1}}}"),
	            "linux.timeOffsets: need a time namespace");
	CHECK_STREQ(err_of("'linux':{'sysctl':{'a':1}}"), "linux.sysctl.a: expected string");
	CHECK_STREQ(err_of("'linux':[]"), "linux: expected object");
}

#define RES(x) "'linux':{'resources':{" x "}}"

TEST(errors_resources)
{
	CHECK_STREQ(err_of(RES("'memory':{'limit':1.5}")),
	            "linux.resources.memory.limit: expected integer");
	CHECK_STREQ(err_of(RES("'memory':{'limit':'1G'}")),
	            "linux.resources.memory.limit: expected integer");
	CHECK_STREQ(err_of(RES("'memory':{'limit':-1,'swap':-1}")), "(ok)");
	CHECK_STREQ(err_of(RES("'memory':{'swap':-2}")),
	            "linux.resources.memory.swap: out of range (-1 = unlimited)");
	CHECK_STREQ(err_of(RES("'memory':{'limit':9223372036854775808}")),
	            "linux.resources.memory.limit: out of range");
	CHECK_STREQ(err_of(RES("'memory':{'swappiness':-1}")),
	            "linux.resources.memory.swappiness: out of range");
	CHECK_STREQ(err_of(RES("'memory':{'disableOOMKiller':1}")),
	            "linux.resources.memory.disableOOMKiller: expected boolean");
	CHECK_STREQ(err_of(RES("'devices':[{'access':'rwm'}]")),
	            "linux.resources.devices[0].allow: required");
	CHECK_STREQ(err_of(RES("'devices':[{'allow':true,'access':'rwx'}]")),
	            "linux.resources.devices[0].access: invalid access \"rwx\" (must be a subset "
	            "of \"rwm\")");
	CHECK_STREQ(err_of(RES("'devices':[{'allow':true,'type':'p'}]")),
	            "linux.resources.devices[0].type: unknown device type \"p\"");
	CHECK_STREQ(err_of(RES("'cpu':{'shares':-5}")), "linux.resources.cpu.shares: out of range");
	CHECK_STREQ(err_of(RES("'cpu':{'cpus':5}")), "linux.resources.cpu.cpus: expected string");
	CHECK_STREQ(err_of(RES("'cpu':{'quota':-1}")), "(ok)");
	CHECK_STREQ(err_of(RES("'pids':{'limit':true}")),
	            "linux.resources.pids.limit: expected integer");
	CHECK_STREQ(err_of(RES("'blockIO':{'weight':65536}")),
	            "linux.resources.blockIO.weight: out of range");
	CHECK_STREQ(err_of(RES("'blockIO':{'weightDevice':[{'major':8}]}")),
	            "linux.resources.blockIO.weightDevice[0].minor: required");
	CHECK_STREQ(err_of(RES("'blockIO':{'throttleWriteIOPSDevice':[{'major':8,'minor':0}]}")),
	            "linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required");
	CHECK_STREQ(err_of(RES("'hugepageLimits':[{'limit':1}]")),
	            "linux.resources.hugepageLimits[0].pageSize: required");
	CHECK_STREQ(err_of(RES("'network':{'priorities':[{'name':'eth0','priority':-1}]}")),
	            "linux.resources.network.priorities[0].priority: out of range");
	CHECK_STREQ(err_of(RES("'rdma':{'mlx':{'hcaHandles':'x'}}")),
	            "linux.resources.rdma.mlx.hcaHandles: expected integer");
	CHECK_STREQ(err_of(RES("'unified':{'memory.max':1}")),
	            "linux.resources.unified.memory.max: expected string");
}

#define SECCOMP(x) "'linux':{'seccomp':{" x "}}"

TEST(errors_seccomp)
{
	CHECK_STREQ(err_of(SECCOMP("'syscalls':[]")), "linux.seccomp.defaultAction: required");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_FOO'")),
	            "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
	                           "'action':'SCMP_ACT_ERRNO'}]")),
	            "linux.seccomp.syscalls[0].names: must not be empty");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
	                           "'action':'SCMP_ACT_ERRNO'}]")),
	            "linux.seccomp.syscalls[0].names: required");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a']},"
	                           "{'names':['b']}]")),
	            "linux.seccomp.syscalls[0].action: required");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
	                           "'action':'SCMP_ACT_LOG','args':[{'index':0,'value':1,"
	                           "'op':'SCMP_CMP_FOO'}]}]")),
	            "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],"
	                           "'action':'SCMP_ACT_LOG','args':[{'index':6,'value':1,"
	                           "'op':'SCMP_CMP_EQ'}]}]")),
	            "linux.seccomp.syscalls[0].args[0].index: out of range (0..5)");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_NOTIFY'")),
	            "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','architectures':["
	                           "'SCMP_ARCH_X86','SCMP_ARCH_PDP11']")),
	            "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"");
	CHECK_STREQ(err_of(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','flags':["
	                           "'SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_FOO']")),
	            "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");
	static const char *const ops[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
	                                  "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
	                                  "SCMP_CMP_MASKED_EQ"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char body[512];
		snprintf(
		    body, sizeof(body),
		    SECCOMP("'defaultAction':'SCMP_ACT_KILL_PROCESS','syscalls':[{'names':['a'],"
		            "'action':'SCMP_ACT_ERRNO','args':[{'index':5,'value':1,"
		            "'op':'%s'}]}]"),
		    ops[i]);
		CHECK_STREQ(err_of(body), "(ok)");
	}
}

/* Personality flags: none is defined by the runtime spec; they are
 * accepted and ignored, as with runc, with one --debug note each. */
static char debug_notes[1024];
static void debug_sink(const char *msg)
{
	size_t l = strlen(debug_notes);
	snprintf(debug_notes + l, sizeof(debug_notes) - l, "%s\n", msg);
}

TEST(personality_flags_noted)
{
	hk_debug_set_sink(debug_sink);
	CHECK_STREQ(err_of("'linux':{'personality':{'domain':'LINUX32','flags':['A','B']}}"),
	            "(ok)");
	hk_debug_set_sink(NULL);
	CHECK_STREQ(debug_notes,
	            "linux.personality.flags[0]: \"A\" ignored (no flag is defined by the runtime "
	            "spec; runc ignores them too)\n"
	            "linux.personality.flags[1]: \"B\" ignored (no flag is defined by the runtime "
	            "spec; runc ignores them too)\n");
	debug_notes[0] = '\0';
	hk_debug_set_sink(debug_sink);
	CHECK_STREQ(err_of("'linux':{'personality':{'domain':'LINUX','flags':[]}}"), "(ok)");
	hk_debug_set_sink(NULL);
	CHECK_STREQ(debug_notes, "");
}

TEST(invalid_json)
{
	CHECK_STREQ(err_of("{\n 'ociVersion': '1.0.0',\n 'root': x\n}"),
	            "invalid JSON: unexpected character (line 3)");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0',"), "invalid JSON: unexpected end of input");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0','root':{'path':'r'},}"),
	            "invalid JSON: unexpected character (line 1)");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0','root':{'path':'r'}}\n\n{}"),
	            "invalid JSON: unexpected character (line 3)");
	CHECK_STREQ(err_of("{'ociVersion':'1.0.0','root':{'path':'r'}}\n \n"), "(ok)");
	CHECK_STREQ(err_of("{\n[1]"),
	            "invalid JSON: quoted object property name expected (line 2)");
	CHECK_STREQ(err_of("{'ociVersion':tru}"), "invalid JSON: boolean expected (line 1)");
	CHECK_STREQ(err_of("[]"), "invalid JSON: expected an object at the top level");
	hk_spec *s = (hk_spec *)1;
	hk_err err = {0};
	CHECK(hk_spec_parse("", 0, &s, &err) == -EINVAL);
	CHECK(s == NULL);
	CHECK_STREQ(err.msg, "invalid JSON: unexpected end of input");
	/* LEN is honoured: text after it is not read. */
	const char *doc = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}garbage";
	s = NULL;
	CHECK(hk_spec_parse(doc, strlen(doc) - 7, &s, &err) == 0);
	hk_spec_free(s);
}

int main(void)
{
	RUN(errors_process);
	RUN(errors_scheduler_io_priority);
	RUN(errors_top_level);
	RUN(errors_linux);
	RUN(errors_resources);
	RUN(errors_seccomp);
	RUN(personality_flags_noted);
	RUN(invalid_json);
	return check_summary();
}
