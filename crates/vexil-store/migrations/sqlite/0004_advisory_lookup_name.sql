-- Advisories are looked up by a normalised package name (lowercase; PEP 503 for PyPI, whose
-- records spell names several ways), so one indexed lookup finds every candidate advisory of a
-- component; the matcher then decides exactly.
ALTER TABLE advisory_packages ADD COLUMN lookup_name TEXT;
UPDATE advisory_packages SET lookup_name = CASE
    WHEN ecosystem = 'PyPI' OR ecosystem LIKE 'PyPI:%'
        THEN replace(replace(lower(name), '_', '-'), '.', '-')
    ELSE lower(name)
END;
DROP INDEX advisory_packages_lookup;
CREATE INDEX advisory_packages_lookup ON advisory_packages (lookup_name, ecosystem);
