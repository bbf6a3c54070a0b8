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
            let mean = self.positive(&mf.mean, &format!("{at}.mean"))?;
            let sd = match &mf.sd {
                Some(v) => Some(self.positive(v, &format!("{at}.sd"))?),
                None => None,
            };
            let band = match (mf.band.get_ref().as_str(), sd, &mf.tolerance) {
                ("sd", Some(_), None) => Band::OneSd,
                ("relative", _, Some(t)) => {
                    Band::Relative(self.positive(t, &format!("{at}.tolerance"))?)
                }
                (b, _, _) => {
                    return Err(self.err(
                        mf.band.span(),
                        &format!("{at}.band"),
                        format!("{b:?}"),
                        "\"sd\" (within one standard deviation; needs sd, no tolerance) or \"relative\" (within tolerance × mean; needs tolerance)",
                    ))
                }
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
