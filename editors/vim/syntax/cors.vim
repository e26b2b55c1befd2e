" Vim syntax file
" Language:     corsc CORS policy language (.cors)
" Maintainer:   corsc
" Installed by: make install (with ftdetect/cors.vim)
"
" Comments, the policy keyword and name, statement keywords, origins (the
" strings of an origins statement, with their wildcards), other strings,
" booleans, durations and '*'.

if exists("b:current_syntax")
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" A word of the language may hold '-' (allow-headers, tricky-one).
syn iskeyword @,48-57,_,-

syn keyword corsTodo        contained TODO FIXME XXX NOTE
syn match   corsComment     "#.*$" contains=corsTodo,@Spell

syn match   corsPolicy      "\<policy\>" nextgroup=corsPolicyName skipwhite skipempty skipnl
syn match   corsPolicyName  "\a[A-Za-z0-9_-]*" contained

syn match   corsBrace       "[{}]"

" origins "...", ...;  (a statement ends at ';', or at '}' when ';' is missing)
syn region  corsOriginsStmt transparent matchgroup=corsStatement start="\<origins\>"
      \ matchgroup=corsDelimiter end=";" end="\ze}"
      \ contains=corsOrigin,corsWildcard,corsComma,corsComment
syn region  corsOrigin      contained start=+"+ skip=+\\.+ end=+"+ end=+$+
      \ contains=corsEscape,corsOriginWild
syn match   corsOriginWild  contained "\%(//\)\@<=\*\*\=\ze\.\|:\zs\*\ze\""

syn region  corsValueStmt   transparent matchgroup=corsStatement
      \ start="\<\%(methods\|allow-headers\|expose-headers\|credentials\|private-network\|max-age\)\>"
      \ matchgroup=corsDelimiter end=";" end="\ze}"
      \ contains=corsString,corsWildcard,corsBoolean,corsDuration,corsComma,corsComment
syn region  corsString      contained start=+"+ skip=+\\.+ end=+"+ end=+$+ contains=corsEscape
syn match   corsEscape      contained +\\.+
syn keyword corsBoolean     contained true false
syn match   corsDuration    contained "\<\d\+[smhd]\=\>"
syn match   corsWildcard    contained "\*"
syn match   corsComma       contained ","

hi def link corsTodo        Todo
hi def link corsComment     Comment
hi def link corsPolicy      Keyword
hi def link corsPolicyName  Identifier
hi def link corsStatement   Statement
hi def link corsOrigin      String
hi def link corsOriginWild  Special
hi def link corsString      String
hi def link corsEscape      SpecialChar
hi def link corsBoolean     Boolean
hi def link corsDuration    Number
hi def link corsWildcard    Special
hi def link corsDelimiter   Delimiter
hi def link corsComma       Delimiter
hi def link corsBrace       Delimiter

let b:current_syntax = "cors"
let &cpo = s:cpo_save
unlet s:cpo_save
