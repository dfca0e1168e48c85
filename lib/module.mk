# lib/: the shared foundation.  Depends on nothing above it.
LIB_SRCS += lib/err.c lib/xmalloc.c lib/buf.c lib/strv.c lib/shquote.c lib/log.c \
            lib/conf.c lib/util.c lib/paths.c lib/proto.c lib/sshc.c lib/link.c lib/link_fail.c
