" Write, for every character of the current buffer, its line, its column and
" the names of the syntax items at it (the stack, then the item itself) to
" the file named by g:dump_to.  Used by t-editors.sh.
let s:out = []
for s:l in range(1, line('$'))
  let s:len = strlen(getline(s:l))
  for s:c in range(1, s:len)
    let s:names = map(synstack(s:l, s:c), 'synIDattr(v:val, "name")')
    call add(s:names, synIDattr(synID(s:l, s:c, 0), 'name'))
    call add(s:out, s:l . ' ' . s:c . ' ' . join(s:names, ' '))
  endfor
endfor
call writefile(s:out, g:dump_to)
