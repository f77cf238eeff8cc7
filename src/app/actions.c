/* The action and scope tables: see include/bakelens/actions.h. */
#include "bakelens/actions.h"

#include <string.h>

struct action_info {
	const char *name;
	enum bl_scope scope;
	const char *help;
};

static const struct action_info actions[BL_ACTION_COUNT] = {
        [BL_ACTION_NONE] = {"", BL_SCOPE_GLOBAL, ""},
#define BL_X_ACTION(id, name, scope, help) [BL_ACTION_##id] = {name, BL_SCOPE_##scope, help},
        BL_ACTIONS(BL_X_ACTION)
#undef BL_X_ACTION
};

struct scope_info {
	const char *name;
	const char *help;
};

static const struct scope_info scopes[BL_SCOPE_COUNT] = {
#define BL_X_SCOPE(id, name, help) [BL_SCOPE_##id] = {name, help},
        BL_SCOPES(BL_X_SCOPE)
#undef BL_X_SCOPE
};

const char *bl_action_name(enum bl_action a)
{
	return (unsigned)a < BL_ACTION_COUNT ? actions[a].name : "";
}

const char *bl_action_help(enum bl_action a)
{
	return (unsigned)a < BL_ACTION_COUNT ? actions[a].help : "";
}

enum bl_scope bl_action_scope(enum bl_action a)
{
	return (unsigned)a < BL_ACTION_COUNT ? actions[a].scope : BL_SCOPE_GLOBAL;
}

enum bl_action bl_action_find(const char *name)
{
	if (!name || !*name)
		return BL_ACTION_NONE;
	for (int a = 1; a < BL_ACTION_COUNT; a++)
		if (strcmp(actions[a].name, name) == 0)
			return (enum bl_action)a;
	return BL_ACTION_NONE;
}

const char *bl_scope_name(enum bl_scope s)
{
	return (unsigned)s < BL_SCOPE_COUNT ? scopes[s].name : "";
}

const char *bl_scope_help(enum bl_scope s)
{
	return (unsigned)s < BL_SCOPE_COUNT ? scopes[s].help : "";
}

bool bl_scope_find(const char *name, enum bl_scope *out)
{
	for (int s = 0; s < BL_SCOPE_COUNT; s++) {
		if (name && strcmp(scopes[s].name, name) == 0) {
			*out = (enum bl_scope)s;
			return true;
		}
	}
	return false;
}

enum bl_scope bl_scope_parent(enum bl_scope s)
{
	switch (s) {
	case BL_SCOPE_TREE:
	case BL_SCOPE_DETAIL:
	case BL_SCOPE_PAGER:
	case BL_SCOPE_MENU:
	case BL_SCOPE_COMPARE:
	case BL_SCOPE_FILES:
	case BL_SCOPE_WASTE:
		return BL_SCOPE_LIST;
	default:
		return BL_SCOPE_GLOBAL;
	}
}
