"""The synthetic corpus for benchmarks and scale tests: invented testimonies
(generator.py, from the word lists in words.py), written through the one
import service (testimonies.imports.services), as an import file would be.
`manage.py generate_corpus N [--seed S]` runs it."""
