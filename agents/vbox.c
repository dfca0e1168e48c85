/* vbox.c — placeholder, replaced below. */
#include "agents/plugins.h"

const struct plugin_ops vbox_ops = { 0 };
