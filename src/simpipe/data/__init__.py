"""Data: raw data sets in, prepared splits out (stage `prepare`), and `simpipe fetch`.

`readers` names the raw readers, one module per source (`stsb`, `homedepot` with its text rules in
`homedepot_text`); `checks` and `splits` are shared by them; `prepared` is the format stages hand on
(split files and the search threshold); `config` holds the `data` section of each reader; `fetch` fills
`data/raw/`. Imports only `simpipe.core`. A new data set is a reader module here and a file in `conf/data/`.
"""
