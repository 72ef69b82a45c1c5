"""The SHACL core constraint components (SHACL 4), compiled to SPARQL: one method per section of the spec.

``Components`` compiles the parameters of one shape, given by the compiler (compiler.py) with the
pattern that binds its focus nodes, its path and its value nodes; each constraint becomes one query
returning the violations as (?focus, ?value) rows. A check of one value at a time (datatype, node
kind, pattern, length, range, sh:in) on an IRI path is a ``test`` the engine runs in one shared scan
of the path (compiled.py).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..vocab import RDF
from .shacl import (CASTS, LEXICAL, NO_LEXICAL_CHECK_NEEDED, NODE_KINDS, RDF_TYPE, REWRITTEN, SH, XSD,
                    Constraint, UnsupportedShape, constant, int_param, is_true, literal_ok, name_of, sparql_lexical,
                    subclasses, term)


class Components:
    """Compiles the constraint parameters of one shape (node or property shape) into Constraints."""

    def __init__(self, comp, shape: str, target: str, path: str, pp: str | None, values: str,
                 focus: str, stack: tuple, legacy: bool):
        self.c, self.shape, self.target, self.path, self.pp = comp, shape, target, path, pp
        self.values, self.focus, self.stack, self.legacy = values, focus, stack, legacy
        self.out: list[Constraint] = []
        self.msg = None

    def add(self, component: str, query: str, value: str, default_msg: str, test: str = "", flags: str = "",
            value_is: str = "value") -> None:
        self.out.append(Constraint(self.shape, self.target, self.path, component, value, query,
                                   self.msg.value if self.msg else default_msg, test, flags, self.focus,
                                   self.pp, value_is))

    def flagged(self, inner: str) -> str:
        """Find the bad values first, then keep those on focus nodes: the type join runs on few rows."""
        return f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {inner} }} {self.focus} }}"

    def add_test(self, component: str, value: str, test: str, default_msg: str, flags: str = "") -> None:
        if self.pp is None:  # a node shape: the value is the focus node
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {self.values} FILTER({test}) }}"
            self.add(component, query, value, default_msg)
        elif self.legacy:
            inner = f"SELECT ?focus ?value WHERE {{ {self.values} FILTER({test}) }}"
            self.add(component, self.flagged(inner), value, default_msg, test, flags)
        else:
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {self.values} FILTER({test}) }}"
            self.add(component, query, value, default_msg)

    def candidates(self) -> str:
        return self.c.candidates(self.focus, self.values)

    def bad_as_value(self, shape) -> str:
        """A pattern binding ?value to the value nodes that do not conform to ``shape``."""
        t = self.c.var("b")
        inner = self.c.nonconforming(shape, self.candidates(), self.stack)
        return f"{{ SELECT ({t} AS ?value) WHERE {{ SELECT DISTINCT (?focus AS {t}) WHERE {{ {inner} }} }} }}"

    def compile(self, params: dict, shape) -> list[Constraint]:
        """The constraints of one shape's parameters, section by section of SHACL 4."""
        msgs = self.c.objects(shape, "message")
        self.msg = msgs[0] if msgs else None
        for local in ("minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals"):
            if self.pp is None and local in params:
                raise UnsupportedShape(f"{self.shape}: sh:{local} on a node shape (it needs sh:path)")
        for section in (self.value_type, self.cardinality, self.value_range, self.string_based, self.property_pair,
                        self.logical, self.shape_based, self.other):
            section(params, shape)
        return self.out

    def value_type(self, params: dict, shape) -> None:
        """SHACL 4.1, value type: sh:class, sh:datatype, sh:nodeKind."""
        node, focus, values = self.pp is None, self.focus, self.values
        for dt_t in params.get("datatype", []):
            dt = dt_t.value
            if dt in REWRITTEN:
                raise UnsupportedShape(
                    f"{self.shape}: sh:datatype <{dt}> is not supported by the compiled engine: the store "
                    "(pyoxigraph) keeps such literals as xsd:integer, so their datatype cannot be checked")
            if (dt.startswith(XSD) and dt not in LEXICAL and dt not in CASTS and dt not in NO_LEXICAL_CHECK_NEEDED
                    or dt in (RDF.XMLLiteral, RDF.JSON)):
                raise UnsupportedShape(f"{self.shape}: sh:datatype <{dt}>: the compiled engine cannot tell its "
                                       "ill-formed literals")
            test = f"!isLiteral(?value) || datatype(?value) != <{dt}>"
            if dt in LEXICAL:
                test += f' || !REGEX(STR(?value), "{sparql_lexical(dt)}")'
            elif dt in CASTS:
                test += f" || !COALESCE(isLiteral(<{dt}>(STR(?value))), false)"  # the cast fails on ill-formed
            self.add_test("datatype", dt, test, f"values must be well-formed {dt}")
        for cls_t in params.get("class", []):
            if not isinstance(cls_t, ox.NamedNode):
                raise UnsupportedShape(f"{self.shape}: sh:class {cls_t} is not an IRI")
            cls = cls_t.value
            excl = f"MINUS {{ VALUES ?k {{ {subclasses(cls)} }} ?value <{RDF_TYPE}> ?k }}"
            if node:
                query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {excl} }}"
            elif self.legacy:
                query = self.flagged(f"SELECT ?focus ?value WHERE {{ {values} {excl} }}")
            else:
                query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {excl} }}"
            self.add("class", query, cls, f"values must be instances of <{cls}>")
        for kind_t in params.get("nodeKind", []):
            kind = kind_t.value.removeprefix(SH)
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"{self.shape}: sh:nodeKind {kind}")
            self.add_test("nodeKind", kind, f"!{NODE_KINDS[kind]}", f"values must be {kind}s")

    def cardinality(self, params: dict, shape) -> None:
        """SHACL 4.2, cardinality: sh:minCount, sh:maxCount."""
        path, pp, focus = self.path, self.pp, self.focus
        values_v = self.values.replace("?value", "?v")  # the same values, as ?v
        for lo_t in params.get("minCount", []):
            lo = int_param(lo_t, self.shape, "minCount")
            if lo == 1 and self.legacy:
                # MINUS is a hash anti-join in Oxigraph: several times faster here than FILTER NOT EXISTS
                self.add("minCount", f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} MINUS {{ ?focus {pp} ?any }} "
                         "BIND(0 AS ?value) }", "1", f"needs a value for <{path}>", value_is="")
            elif lo >= 1:
                self.add("minCount", f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} "
                         f"OPTIONAL {{ {values_v} }} }} GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {lo})", str(lo),
                         f"needs at least {lo} values for {pp}", value_is="")
        for hi_t in params.get("maxCount", []):
            hi = int_param(hi_t, self.shape, "maxCount")
            inner = (f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ ?focus {pp} ?v }} "
                     f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})")
            if self.legacy:
                query = self.flagged(inner)
            else:
                query = (f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} {values_v} }} "
                         f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {hi})")
            self.add("maxCount", query, str(hi), f"has more than {hi} values for {pp}", value_is="")

    def value_range(self, params: dict, shape) -> None:
        """SHACL 4.3, value range: sh:minInclusive, sh:maxInclusive, sh:minExclusive, sh:maxExclusive."""
        for comp, op in (("minInclusive", ">="), ("maxInclusive", "<=")):
            for b in params.get(comp, []):
                bound = literal_ok(b)
                # A value that cannot be compared (an error in SPARQL) violates the constraint too.
                self.add_test(comp, b.value, f"!COALESCE(?value {op} {bound}, false)",
                              f"values must be {'at least' if op == '>=' else 'at most'} {b.value}")
        for comp, op in (("minExclusive", ">"), ("maxExclusive", "<")):
            for b in params.get(comp, []):
                self.add_test(comp, b.value, f"!COALESCE(?value {op} {literal_ok(b)}, false)",
                              f"values must be {'above' if op == '>' else 'below'} {b.value}")

    def string_based(self, params: dict, shape) -> None:
        """SHACL 4.4, string-based: sh:minLength, sh:maxLength, sh:pattern (with sh:flags), sh:languageIn,
        sh:uniqueLang."""
        pp, focus = self.pp, self.focus
        patterns = params.get("pattern", [])
        flags = params.get("flags", [None])[0]
        if flags is not None and len(patterns) > 1:
            raise UnsupportedShape(f"{self.shape}: sh:flags with {len(patterns)} sh:pattern values")
        for pattern in patterns:
            args = f"STR(?value), {term(pattern)}" + (f", {term(flags)}" if flags else "")
            self.add_test("pattern", pattern.value, f"isBlank(?value) || !REGEX({args})",
                          f"values must match {pattern.value!r}", flags.value if flags else "")
        for n_t in params.get("minLength", []):
            n = int_param(n_t, self.shape, "minLength")
            self.add_test("minLength", str(n), f"isBlank(?value) || STRLEN(STR(?value)) < {n}",
                          f"values must be at least {n} characters long")
        for n_t in params.get("maxLength", []):
            n = int_param(n_t, self.shape, "maxLength")
            self.add_test("maxLength", str(n), f"isBlank(?value) || STRLEN(STR(?value)) > {n}",
                          f"values must be at most {n} characters long")
        for lst in params.get("languageIn", []):
            langs = [m.value for m in self.c.items(lst)]
            test = "!isLiteral(?value) || !(" + (" || ".join(
                f'langMatches(lang(?value), {term(ox.Literal(lang))})' for lang in langs) or "false") + ")"
            self.add_test("languageIn", " ".join(langs), test, f"values must have a language tag in {langs}")
        for u in params.get("uniqueLang", []):
            if is_true(u):
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} ?focus {pp} ?a . ?focus {pp} ?b "
                         "FILTER(!sameTerm(?a, ?b) && lang(?a) != \"\" && LCASE(lang(?a)) = LCASE(lang(?b))) "
                         "BIND(LCASE(lang(?a)) AS ?value) }")
                self.add("uniqueLang", query, "true", "values must have distinct language tags", value_is="")

    def property_pair(self, params: dict, shape) -> None:
        """SHACL 4.5, property pair: sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals."""
        node, pp, focus, values = self.pp is None, self.pp, self.focus, self.values
        for p2 in params.get("equals", []):
            q2 = f"<{p2.value}>"
            if node:
                # each branch has the focus nodes: a group is evaluated on its own, before the join
                either = (f"{{ {focus} FILTER NOT EXISTS {{ ?focus {q2} ?focus }} BIND(?focus AS ?value) }} "
                          f"UNION {{ {focus} ?focus {q2} ?value FILTER(!sameTerm(?value, ?focus)) }}")
            else:
                either = (f"{{ {values} FILTER NOT EXISTS {{ ?focus {q2} ?value }} }} "
                          f"UNION {{ ?focus {q2} ?value FILTER NOT EXISTS {{ ?focus {pp} ?value }} }}")
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {either} }}"
            self.add("equals", query, p2.value, f"values must equal those of {q2}")
        for p2 in params.get("disjoint", []):
            q2 = f"<{p2.value}>"
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} . ?focus {q2} ?value }}"
            self.add("disjoint", query, p2.value, f"values must not be values of {q2}")
        for comp, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for p2 in params.get(comp, []):
                q2 = f"<{p2.value}>"
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} . ?focus {q2} ?o "
                         f"FILTER(!COALESCE(?value {op} ?o, false)) }}")
                self.add(comp, query, p2.value, f"values must be {op} those of {q2}")

    def logical(self, params: dict, shape) -> None:
        """SHACL 4.6, logical: sh:not, sh:and, sh:or, sh:xone."""
        focus, values = self.focus, self.values
        for s in params.get("not", []):
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} MINUS {self.bad_as_value(s)} }}"
            self.add("not", query, name_of(s), f"values must not conform to {name_of(s)}")
        for lst in params.get("and", []):
            members = self.c.items(lst)
            union = " UNION ".join(self.bad_as_value(m) for m in members) or "VALUES ?value { }"
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {{ {union} }} }}"
            self.add("and", query, str(lst), "values must conform to every listed shape")
        for lst in params.get("or", []):
            members = self.c.items(lst)
            legacy = self._legacy_or(members)
            if legacy is not None:
                continue
            joined = " ".join(self.bad_as_value(m) for m in members)
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {joined} }}"
            self.add("or", query, str(lst), self.msg.value if self.msg else "values must conform to one listed shape")
        for lst in params.get("xone", []):
            members = self.c.items(lst)
            opts, count = [], []
            for m in members:
                b = self.c.var("x")
                opts.append(f"OPTIONAL {{ {self.bad_as_value(m)} BIND(1 AS {b}) }}")
                count.append(f"IF(BOUND({b}), 0, 1)")
            query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {' '.join(opts)} "
                     f"FILTER(({' + '.join(count) or '0'}) != 1) }}")
            self.add("xone", query, str(lst), "values must conform to exactly one listed shape")

    def shape_based(self, params: dict, shape) -> None:
        """SHACL 4.7, shape-based: sh:node and the qualified value shapes (sh:property is the compiler's: it
        recurses into the property shape)."""
        focus, values = self.focus, self.values
        for s in params.get("node", []):
            query = f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} {values} {self.bad_as_value(s)} }}"
            self.add("node", query, name_of(s), f"values must conform to {name_of(s)}")
        self.qualified(params, shape)

    def other(self, params: dict, shape) -> None:
        """SHACL 4.8, other: sh:closed (with sh:ignoredProperties), sh:hasValue, sh:in."""
        node, pp, focus, values = self.pp is None, self.pp, self.focus, self.values
        closed = params.get("closed", [None])[0]
        if closed is not None and is_true(closed):
            allowed = set()
            for p in params.get("property", []):
                pth = self.c.one(p, "path", name_of(p))
                if isinstance(pth, ox.NamedNode):
                    allowed.add(pth.value)
            for lst in params.get("ignoredProperties", []):
                allowed |= {m.value for m in self.c.items(lst)}
            not_in = f"FILTER(?path NOT IN ({', '.join(f'<{a}>' for a in sorted(allowed))}))" if allowed else ""
            # the value is the object of the triple, the path its predicate
            query = (f"SELECT DISTINCT ?focus ?path ?value WHERE {{ {focus} {values.replace('?value', '?cv')} "
                     f". ?cv ?path ?value {not_in} }}")
            self.add("closed", query, "true", "a closed shape: no other properties", value_is="value")
        for v in params.get("hasValue", []):
            const = constant(v, self.shape, "hasValue")
            if node:
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} FILTER(!sameTerm(?focus, {const})) "
                         "BIND(0 AS ?value) }")
            else:
                query = (f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} FILTER NOT EXISTS {{ ?focus {pp} ?h "
                         f"FILTER(sameTerm(?h, {const})) }} BIND(0 AS ?value) }}")
            self.add("hasValue", query, const, f"needs the value {const}", value_is="")
        for lst in params.get("in", []):
            members = [constant(m, self.shape, "in") for m in self.c.items(lst)]
            test = "!(" + (" || ".join(f"sameTerm(?value, {m})" for m in members) or "false") + ")"
            self.add_test("in", " ".join(members), test, "values must be one of the listed terms")

    def qualified(self, params: dict, shape) -> None:
        """sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount (SHACL 4.7.3)."""
        if "qualifiedValueShape" not in params:
            return  # its other parameters alone activate nothing (SHACL 2.4: a component needs its mandatory one)
        if self.pp is None:
            raise UnsupportedShape(f"{self.shape}: sh:qualifiedValueShape on a node shape (it needs sh:path)")
        q = params["qualifiedValueShape"][0]
        disjoint = "qualifiedValueShapesDisjoint" in params and is_true(params["qualifiedValueShapesDisjoint"][0])
        siblings = []
        if disjoint:
            prop = ox.NamedNode(SH + "property")
            for parent in {t.subject for t in self.c.g.quads_for_pattern(None, prop, shape)}:
                for other in self.c.objects(parent, "property"):
                    if other != shape:
                        siblings += [s for s in self.c.objects(other, "qualifiedValueShape") if s != q]
        # the values that conform to the shape (not among its non-conforming ones) and to no sibling
        body = f"{self.focus} {self.values} MINUS {self.bad_as_value(q)} " + " ".join(
            self.bad_as_value(s) for s in siblings)
        counted = self.c.var("q")
        count = (f"SELECT ?focus (COUNT(DISTINCT {counted}) AS ?value) WHERE {{ {self.focus} OPTIONAL {{ "
                 f"SELECT ?focus (?value AS {counted}) WHERE {{ {body} }} }} }} GROUP BY ?focus ")
        for local, op in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
            if local in params:
                n = int_param(params[local][0], self.shape, local)
                self.add(local, count + f"HAVING (COUNT(DISTINCT {counted}) {op} {n})", str(n),
                         f"{'at least' if op == '<' else 'at most'} {n} values must conform to {name_of(q)}",
                         value_is="")

    def _legacy_or(self, members) -> bool | None:
        """sh:or of property shapes that each only require a value (sh:minCount 1) on a node shape whose
        focus is a class target: one of the paths must have one (one anti-join per path). None otherwise."""
        if self.pp is not None or not self.focus.startswith("VALUES ?target"):
            return None
        paths = []
        for m in members:
            params = {q.predicate.value.removeprefix(SH): q.object for q in self.c.g.quads_for_pattern(m, None, None)}
            if (set(params) != {"path", "minCount"} or params["minCount"].value != "1"
                    or not isinstance(params["path"], ox.NamedNode)):
                return None
            paths.append(params["path"].value)
        tests = " ".join(f"MINUS {{ ?focus <{p}> ?any{i} }}" for i, p in enumerate(paths))
        query = f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {tests} BIND(0 AS ?value) }}"
        text = self.msg.value if self.msg else f"needs a value for one of {', '.join(paths)}"
        self.out.append(Constraint(self.shape, self.target, " | ".join(paths), "or", " | ".join(paths), query, text,
                                   focus=self.focus, result_path=None, value_is="focus"))
        return True
