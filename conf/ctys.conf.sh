# ctys.conf.sh — installed configuration of ctys.
#
# Read by ctys after $HOME/.ctys/ctys.conf.sh.  Only shell assignments are
# allowed (see ctys(1), CONFIGURATION); VAR=${VAR:-value} keeps a value that
# the environment or the user file set first.

# Plugin for CREATE and CANCEL without -t.
DEFAULT_C_SESSIONTYPE=${DEFAULT_C_SESSIONTYPE:-VNC}

# Scope of listed sessions for ENUMERATE, CREATE, CANCEL.
DEFAULT_C_SCOPE=${DEFAULT_C_SCOPE:-USER}

# Suboptions of LIST, INFO and SHOW when none are given.
DEFAULT_C_MODE_ARGS_LIST=${DEFAULT_C_MODE_ARGS_LIST:-both,tab_tcp,dns}

# Seconds between propagating a CANCEL and cancelling the level itself.
DEFAULT_KILL_DELAY_POWEROFF=${DEFAULT_KILL_DELAY_POWEROFF:-20}

# Recursion limit for macros and group includes.
CTYS_MAXRECURSE=${CTYS_MAXRECURSE:-20}
