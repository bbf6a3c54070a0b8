//! `[experiment]`: a published experiment's measured figures (`needlemap validate`).

use super::*;

impl Ctx<'_> {
    pub(super) fn experiment(
        &self,
        e: &file::ExperimentFile,
    ) -> R<crate::design::experiment::Experiment> {
        use crate::design::experiment::{Band, Experiment, Measured, Quantity, Role};
        let mut measured = Vec::new();
        for (i, m) in e.measured.get_ref().iter().enumerate() {
            let at = format!("experiment.measured[{i}]");
            let mf = m.get_ref();
            let q = Quantity::from_key(mf.quantity.get_ref()).ok_or_else(|| {
                self.err(
                    mf.quantity.span(),
                    &format!("{at}.quantity"),
                    format!("{:?}", mf.quantity.get_ref()),
                    format!("valid: {}", Quantity::KEYS.join(", ")),
                )
            })?;
            let sd = match &mf.sd {
                Some(v) => Some(self.positive(v, &format!("{at}.sd"))?),
                None => None,
            };
            let ends = (&mf.min, &mf.max);
            let band = match (mf.band.get_ref().as_str(), sd, &mf.tolerance, ends) {
                ("sd", Some(_), None, (None, None)) => Band::OneSd,
                ("relative", _, Some(t), (None, None)) => {
                    Band::Relative(self.positive(t, &format!("{at}.tolerance"))?)
                }
                ("range", None, None, (lo, hi)) if lo.is_none() || hi.is_none() => {
                    return Err(self.err(
                        mf.band.span(),
                        &format!("{at}.{}", if lo.is_none() { "min" } else { "max" }),
                        "(missing)",
                        "band = \"range\" needs both min and max, in the quantity's unit",
                    ))
                }
                ("range", None, None, (Some(lo), Some(hi))) => {
                    let l = self.non_negative(lo, &format!("{at}.min"))?;
                    let h = self.positive(hi, &format!("{at}.max"))?;
                    if h <= l {
                        return Err(self.err(
                            hi.span(),
                            &format!("{at}.max"),
                            h.to_string(),
                            format!("must be greater than min = {l}"),
                        ));
                    }
                    Band::Range(l, h)
                }
                (b, _, _, _) => {
                    return Err(self.err(
                        mf.band.span(),
                        &format!("{at}.band"),
                        format!("{b:?}"),
                        "\"sd\" (within one standard deviation; needs mean and sd), \"relative\" (within tolerance × mean; needs mean and tolerance) or \"range\" (between min and max; no sd or tolerance)",
                    ))
                }
            };
            let mean =
                match (&mf.mean, band) {
                    (Some(v), _) => self.positive(v, &format!("{at}.mean"))?,
                    (None, Band::Range(l, h)) => 0.5 * (l + h),
                    (None, _) => return Err(self.err(
                        mf.band.span(),
                        &format!("{at}.mean"),
                        "(missing)",
                        "the measured mean, greater than 0 (only band = \"range\" goes without)",
                    )),
                };
            let role = match mf.role.get_ref().as_str() {
                "calibration" => Role::Calibration,
                "validation" => Role::Validation,
                r => {
                    return Err(self.err(
                        mf.role.span(),
                        &format!("{at}.role"),
                        format!("{r:?}"),
                        "\"calibration\" (a parameter was fitted to this figure) or \"validation\" (held out)",
                    ))
                }
            };
            measured.push(Measured {
                quantity: q,
                mean,
                sd,
                band,
                role,
                note: mf.note.clone().unwrap_or_default(),
                gate: mf.gate.unwrap_or(true),
            });
        }
        if measured.is_empty() {
            return Err(self.err(
                e.measured.span(),
                "experiment.measured",
                "[]",
                "needs at least one measured figure",
            ));
        }
        Ok(Experiment {
            study: e.study.clone(),
            doi: e.doi.clone().unwrap_or_default(),
            conditions: e.conditions.clone().unwrap_or_default(),
            measured,
        })
    }
}
