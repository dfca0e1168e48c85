# cache/: the machine record, the LMDB cache DB, the query language,
# import/export of the original's .fdb files, ctys-vhost and ctys-macmap.
LIB_SRCS += cache/record.c cache/fdb.c cache/store.c cache/store-write.c \
            cache/store-read.c cache/store-export.c cache/query.c cache/ere.c cache/gram.c cache/table.c cache/vhost-out.c
LIB_SRCS += cache/vhost-macro.c
PROGS += ctys-vhost ctys-macmap
ctys-vhost_MAIN := cache/ctys-vhost.c
ctys-macmap_MAIN := cache/ctys-macmap.c
# Benchmark data generator (bench/cache.bench.sh): built by make bench, not installed.
BENCH_PROGS += gen-fdb
gen-fdb_MAIN := bench/gen-fdb.c
MAN_PAGES += man/ctys-vhost.1 man/ctys-macmap.1 man/ctys-cachedb.5
# LDAP nameservice (issue 10): schema, publish, directory queries, sync.
LIB_SRCS += cache/ldap-map.c cache/ldap-dl.c cache/ldap-conn.c cache/ldap-entry.c cache/ldap-publish.c \
            cache/ldap-ldif.c cache/ldap-source.c \
            cache/ldap-sync.c
PROGS += ctys-ldap
ctys-ldap_MAIN := cache/ctys-ldap.c
MAN_PAGES += man/ctys-ldap.1 man/ctys-ldap.5
