"""The child process of ``consultation.typesetting``: compile one Typst template to PDF, then exit.

Run as a script (``python -I typeset_child.py TEMPLATE[,TEMPLATE...] FONT_DIR``), it imports neither Django nor the
platform: the data arrives as JSON on standard input, the PDF leaves on standard output, warnings and
errors on standard error (exit status 2 for a compile error). The process is the unit of memory: Typst
keeps its caches for the life of a process (about 80 MB more after each compile of another report), so
a fresh process per document returns all of it when it exits.
"""

import sys
import tempfile


def main() -> int:
    import typst

    template, font_dir = sys.argv[1], sys.argv[2]
    source = b""
    for path in template.split(","):  # preludes first (shared definitions), then the template itself
        with open(path, "rb") as handle:
            source += handle.read() + b"\n"
    payload = sys.stdin.buffer.read().decode("utf-8")
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[font_dir])
    with tempfile.TemporaryDirectory(prefix="typeset-") as root:  # empty: the template can read no file
        try:
            pdf, warnings = typst.compile_with_warnings(
                source,
                root=root,
                font_paths=fonts,
                ignore_system_fonts=True,
                format="pdf",
                sys_inputs={"data": payload},
            )
        except typst.TypstError as error:
            sys.stderr.write(error.diagnostic or error.message)
            return 2
    for warning in warnings:
        sys.stderr.write(f"warning: {warning.message}\n")
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
