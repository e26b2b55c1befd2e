/*
 * frontend.h - the two front ends.  Each reads f->src, adds raw policies to
 * f with the constructors of ir.h, and queues located diagnostics.  They
 * judge only syntax and structure; meaning is the validator's.
 */
#ifndef CORSC_FRONTEND_H
#define CORSC_FRONTEND_H

#include "diag.h"
#include "ir.h"

/* The policy language (grammar/lexer.l, grammar/parser.y). */
void dsl_parse(struct ir_file *f, struct diag_queue *dq);
/* YAML (compiler/yaml_reader.c, libyaml). */
void yaml_parse(struct ir_file *f, struct diag_queue *dq);

#endif
