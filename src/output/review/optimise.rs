//! The optimisation's section of the review page (`needlemap report --optimise FILE`): the
//! search (file, base design, space, constraints, objectives), how many candidates each stage
//! rejected and which limits bind, the trade-off picture, and the Pareto front's trade-off
//! points, each linked to its datasheet further down the page.

use super::{escape, figure, OptimisePart};
use crate::output::optimise::best_file_name;
use crate::studies::optimise::{edges, Sense};
use std::fmt::Write as _;

/// Appends the optimisation's section.
pub(super) fn write(h: &mut String, p: &OptimisePart) {
    let (opt, o) = (p.optimise, p.outcome);
    let _ = writeln!(
        h,
        "<section class=\"optimise\" id=\"optimise\">\n<h2>Design from a target: {}</h2>",
        escape(&opt.sweep.name)
    );
    let objectives: Vec<String> = opt
        .objectives
        .iter()
        .map(|x| {
            let sense = match x.sense() {
                Sense::Min => "smaller is better",
                Sense::Max => "larger is better",
            };
            format!("<code>{}</code> ({sense})", escape(x.key()))
        })
        .collect();
    let constraints: Vec<String> = crate::output::optimise::constraint_words(opt)
        .iter()
        .map(|c| escape(c))
        .collect();
    let _ = writeln!(
        h,
        "<p><code>{}</code> searches {} candidates, every combination of {} key(s) over the base design <code>{}</code>, for the designs that meet {} — objectives: {}.</p>",
        escape(&opt.path.display().to_string()),
        o.candidates.len(),
        opt.sweep.keys.len(),
        escape(&opt.sweep.base_path.display().to_string()),
        constraints.join(", "),
        objectives.join(" and ")
    );
    h.push_str("<table class=\"stages\"><thead><tr><th>stage</th><th>what it checks</th><th>entered</th><th>rejected</th><th>feasible here</th></tr></thead><tbody>\n");
    let what = [
        "the device as made and pressed, closed forms, no raster",
        "the analysis at a coarse raster pitch: fails a limit widened by its error, or meets every limit narrowed by it",
        "the analysis at the design's pitch",
        "Monte Carlo yield of the front",
    ];
    for ((name, st), w) in ["screen", "coarse", "full", "yield"]
        .iter()
        .zip(&o.stages)
        .zip(what)
    {
        if st.entered > 0 {
            let _ = writeln!(
                h,
                "<tr data-stage=\"{name}\"><td>{name}</td><td>{w}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                st.entered, st.rejected, if *name == "coarse" { st.accepted.to_string() } else { "—".to_string() }
            );
        }
    }
    h.push_str("</tbody></table>\n");
    let invalid = o.invalid();
    if invalid > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{invalid} combination(s) are not valid designs (the design rules refuse them; <code>candidates.csv</code> says why).</p>"
        );
    }
    let binding = o.binding();
    if !binding.is_empty() {
        let _ = writeln!(
            h,
            "<p>Limits failed (the first failure per candidate): {}.</p>",
            binding
                .iter()
                .map(|(k, t)| format!("<code>{}</code> {t}", escape(k)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(pic) = p.picture {
        figure(
            h,
            pic,
            &opt.sweep.name,
            "every candidate by its objectives: feasible, infeasible, the Pareto front and the base design",
        );
    }
    let groups = o.front_groups();
    if groups.is_empty() {
        h.push_str("<p class=\"fail\">No candidate meets every constraint: widen the search or relax the limit that binds most often (above).</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<h3>The Pareto front: {} trade-off point(s)</h3>\n<p>No other feasible candidate is as good in every objective and better in one. <code>optimise</code> writes each point as a design file (the constraints as its <code>[spec]</code>); each has its datasheet below.</p>",
        groups.len()
    );
    h.push_str(
        "<div class=\"scroll\"><table class=\"front\"><thead><tr><th>file</th><th>design</th>",
    );
    for (_, x) in crate::output::optimise::shown_objectives(opt) {
        let _ = write!(
            h,
            "<th class=\"objective\">{}</th>",
            escape(&crate::output::optimise::objective_heading(x))
        );
    }
    if opt.runs > 0 {
        h.push_str("<th>yield (lower 95 %)</th>");
    }
    for k in &opt.sweep.keys {
        let _ = write!(h, "<th>{}</th>", escape(&k.name));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (rank, &(k, alike)) in groups.iter().enumerate() {
        let c = &o.candidates[k];
        let linked = p.shown.contains(&k);
        let name = if linked {
            format!("<a href=\"#design-{0}\">{0}</a>", escape(&c.name))
        } else {
            escape(&c.name)
        };
        let alike = if alike > 1 {
            format!(" (+{} alike)", alike - 1)
        } else {
            String::new()
        };
        let _ = write!(
            h,
            "<tr data-design=\"{}\"><td>{}</td><td>{name}{alike}</td>",
            escape(&c.name),
            best_file_name(rank + 1)
        );
        for cell in crate::output::optimise::objective_cells(opt, c) {
            let _ = write!(h, "<td class=\"num objective\">{cell}</td>");
        }
        if opt.runs > 0 {
            let y = c
                .yield_lo
                .map_or("—".into(), |y| format!("{:.1} %", y * 100.0));
            let _ = write!(h, "<td class=\"num\">{y}</td>");
        }
        for (key, j) in opt.sweep.keys.iter().zip(opt.sweep.combination(k)) {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape(&key.show(j)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    if groups.len() > p.shown.len() {
        let _ = writeln!(
            h,
            "<p class=\"info\">The datasheets below show the first {} trade-off points; <code>needlemap optimise</code> writes every one to <code>&lt;out&gt;/{}/optimise/</code>.</p>",
            p.shown.len(),
            escape(&opt.sweep.name)
        );
    }
    let edges = edges(opt, &o.front_members());
    if !edges.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">On the edge of the search (a wider range may hold better designs):</p>\n<ul class=\"note\">{}</ul>",
            edges
                .iter()
                .map(|e| format!("<li>{}</li>", escape(e)))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    h.push_str("</section>\n");
}
