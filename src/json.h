/*
 * src/json.h: the few JSON writers the programs need (mailwire-parse
 * prints one JSON object per line). Not part of the core: it uses stdio.
 */
#ifndef MW_JSON_H
#define MW_JSON_H

#include <stddef.h>
#include <stdio.h>

/* A JSON string of n bytes: quotes, escapes, control bytes as \u00XX;
 * bytes >= 0x80 are passed through if they form valid UTF-8, else \u00XX
 * of each byte (so the output is always valid JSON). */
void	json_str(FILE *, const void *s, size_t n);
/* "key": before a value, with a comma unless first is set (then cleared). */
void	json_key(FILE *, int *first, const char *key);

#endif
