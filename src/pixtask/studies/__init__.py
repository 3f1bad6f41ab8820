"""The GenLV paper's studies as reusable functions: each takes a predictor (or model folders)
and a benchmark, and returns plain data that ``write_*`` turns into tables and figures."""
