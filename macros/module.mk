# macros/: MACRO: references and macro files, group files (issue 3).
LIB_SRCS += macros/textfile.c macros/macro.c macros/group.c
PROGS += ctys-macros ctys-groups
ctys-macros_MAIN := macros/ctys-macros.c
ctys-groups_MAIN := macros/ctys-groups.c
MAN_PAGES += ctys-macros.1 ctys-groups.1 ctys-macros.5 ctys-groups.5
