" corsc's CORS policy language: *.cors files (any case, as corsc reads them)
autocmd BufNewFile,BufRead *.cors,*.CORS setfiletype cors
