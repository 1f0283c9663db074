/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* ingress.bpf.c — XDP hook: every frame arriving on a protected interface. */
#include "lib/inbound.h"

SEC("xdp")
int ps_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int r = ps_inbound(data, data_end);

	ps_count(PS_DIR_IN, r, (__u32)(data_end - data));
	return ps_is_drop(r) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
