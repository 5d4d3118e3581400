/* Private to src/kind: the table defined in kinds.c, read by kind.c. */
#ifndef MD_KIND_TABLE_H
#define MD_KIND_TABLE_H

#include "kind/kind.h"

extern const struct md_kind md_kinds[];
extern const size_t md_nkinds;

#endif
