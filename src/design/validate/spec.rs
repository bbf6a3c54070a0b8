//! `[spec]`: limits on the metrics, checked against the metric registry.

use super::*;

impl Ctx<'_> {
    /// `[spec]`: every key a registry metric, bounds finite, min ≤ max, at least one bound.
    pub(crate) fn spec(
        &self,
        s: Option<&std::collections::BTreeMap<S<String>, S<file::LimitFile>>>,
    ) -> R<Vec<SpecLimit>> {
        self.limits("spec", s)
    }

    /// A table of limits named `table` (`[spec]`, an optimisation's `[constraints]`), checked
    /// as `[spec]` is.
    pub(crate) fn limits(
        &self,
        table: &str,
        s: Option<&std::collections::BTreeMap<S<String>, S<file::LimitFile>>>,
    ) -> R<Vec<SpecLimit>> {
        let Some(s) = s else { return Ok(Vec::new()) };
        let mut out = Vec::with_capacity(s.len());
        for (k, v) in s {
            let key = format!("{table}.{}", k.get_ref());
            let info = crate::model::registry::metric(k.get_ref()).ok_or_else(|| {
                self.err(
                    k.span(),
                    &key,
                    k.get_ref(),
                    format!(
                        "is not a metric; valid keys: {}",
                        crate::model::registry::key_list()
                    ),
                )
            })?;
            let l = v.get_ref();
            let min = l
                .min
                .as_ref()
                .map(|m| self.finite(m, &format!("{key}.min")))
                .transpose()?;
            let max = l
                .max
                .as_ref()
                .map(|m| self.finite(m, &format!("{key}.max")))
                .transpose()?;
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(self.err(
                        v.span(),
                        &key,
                        format!("min {a}, max {b}"),
                        "min must not exceed max",
                    ));
                }
            }
            // a fraction (shown as % in the tables) is written as a fraction: 15 % is 0.15
            for (bound, b) in [("min", min), ("max", max)] {
                if let Some((x, why)) = b.and_then(|x| info.check_bound(x).err().map(|w| (x, w))) {
                    let m = if bound == "min" { &l.min } else { &l.max };
                    return Err(self.err(
                        m.as_ref().map_or(v.span(), |m| m.span()),
                        &format!("{key}.{bound}"),
                        x,
                        why,
                    ));
                }
            }
            if min.is_none() && max.is_none() {
                return Err(self.err(
                    v.span(),
                    &key,
                    "{}",
                    "needs min, max or both, e.g. { min = 0.15 }",
                ));
            }
            out.push(SpecLimit {
                key: info.key,
                min,
                max,
            });
        }
        let order = |k: &str| crate::model::registry::keys().position(|x| x == k);
        out.sort_by_key(|l| order(l.key));
        Ok(out)
    }
}
