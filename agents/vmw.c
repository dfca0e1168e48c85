/* vmw.c — placeholder, replaced below. */
#include "agents/plugins.h"

const struct plugin_ops vmw_ops = { 0 };
