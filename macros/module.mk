# macros/: MACRO: references and macro files, group files (issue 3).
LIB_SRCS += macros/textfile.c macros/macro.c macros/group.c
PROGS += ctys-macros ctys-groups
ctys-macros_MAIN := macros/ctys-macros.c
ctys-groups_MAIN := macros/ctys-groups.c
MAN_PAGES += man/ctys-macros.1 man/ctys-groups.1 man/ctys-macros.5 man/ctys-groups.5
