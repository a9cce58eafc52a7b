/* net.h - the container's network namespace. */
#ifndef HUSK_LINUX_NET_H
#define HUSK_LINUX_NET_H

#include "util/error.h"

/* Bring the loopback interface of the current (new) network namespace up,
 * as runc and crun do: 127.0.0.1 works in a container with no network. */
int hk_net_loopback_up(hk_err *err);

#endif
