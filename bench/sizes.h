/*
 * bench/sizes.h: the per-session structures whose sizes bench_memory
 * prints (host) and bench/footprint_sizes.c records for the embedded
 * target (as symbols of those sizes, read with nm -S). X(name, type): a
 * whole structure; M(name, type, member): one member, for the breakdown.
 */
#ifndef MW_BENCH_SIZES_H
#define MW_BENCH_SIZES_H

#include <mailwire/client.h>
#include <mailwire/command.h>
#include <mailwire/data.h>
#include <mailwire/reply.h>
#include <mailwire/sasl.h>
#include <mailwire/server.h>

#define MW_BENCH_SIZES(X, M)						\
	X(mw_server, struct mw_server)					\
	M(mw_server, struct mw_server, cfg)				\
	M(mw_server, struct mw_server, sasl_cfg)			\
	M(mw_server, struct mw_server, parser)				\
	M(mw_server, struct mw_server, cmd)				\
	M(mw_server, struct mw_server, dec)				\
	M(mw_server, struct mw_server, bdat)				\
	M(mw_server, struct mw_server, sasl)				\
	X(mw_client, struct mw_client)					\
	M(mw_client, struct mw_client, cfg)				\
	M(mw_client, struct mw_client, rp)				\
	M(mw_client, struct mw_client, sasl)				\
	M(mw_client, struct mw_client, enc)				\
	M(mw_client, struct mw_client, ehlo)				\
	M(mw_client, struct mw_client, msg)				\
	M(mw_client, struct mw_client, mres)				\
	M(mw_client, struct mw_client, closerep)			\
	M(mw_client, struct mw_client, q)				\
	X(mw_reply_parser, struct mw_reply_parser)			\
	M(mw_reply_parser, struct mw_reply_parser, reply)		\
	X(mw_reply, struct mw_reply)					\
	M(mw_reply, struct mw_reply, lines)				\
	M(mw_reply, struct mw_reply, ehlo)				\
	X(mw_cmd_parser, struct mw_cmd_parser)				\
	M(mw_cmd_parser, struct mw_cmd_parser, cmd)			\
	X(mw_cmd, struct mw_cmd)					\
	M(mw_cmd, struct mw_cmd, params)				\
	X(mw_sasl_client, struct mw_sasl_client)			\
	X(mw_sasl_server, struct mw_sasl_server)			\
	X(mw_data_dec, struct mw_data_dec)				\
	X(mw_data_enc, struct mw_data_enc)				\
	X(mw_client_config, struct mw_client_config)			\
	X(mw_client_msg, struct mw_client_msg)				\
	X(mw_client_result, struct mw_client_result)			\
	X(mw_server_config, struct mw_server_config)

#endif
