"""Bake files (HCL and JSON) read into bake's native form: ``files`` reads and checks them,
``parse`` runs python-hcl2 (cached, large files in parallel ``chunks``), ``strings`` converts
values."""
