//! The text report: what a person reads on a terminal. Each cluster of copies with its
//! representative, and each member with its title and outlet when the input has them,
//! and how it matched; articles without a copy are counted, and listed on request.

use std::io::{self, Write};

use nuskha::{Cluster, DocId};

use super::Report;

impl Report<'_> {
    pub(super) fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        for (n, c) in self.clusters.copies().enumerate() {
            writeln!(
                out,
                "cluster {} ({} articles), representative: {}",
                n + 1,
                c.len(),
                self.id(c.representative())
            )?;
            for m in c.members() {
                if m.id == c.representative() {
                    write!(out, "  * {}", self.id(m.id))?;
                } else {
                    write!(
                        out,
                        "  - {}  ({} {:.2} to {})",
                        self.id(m.id),
                        m.kind,
                        m.score,
                        self.id(m.matched)
                    )?;
                }
                self.about(out, m.id)?;
            }
        }
        let singles: Vec<DocId> =
            self.clusters.iter().filter(|c| c.len() == 1).map(Cluster::representative).collect();
        let short = singles.iter().filter(|&&d| self.too_short(d)).count();
        writeln!(
            out,
            "{} articles have no copy ({short} of them too short to compare)",
            singles.len()
        )?;
        if self.singletons {
            for &d in &singles {
                write!(out, "  . {}", self.id(d))?;
                if self.too_short(d) {
                    write!(out, "  (too short)")?;
                }
                self.about(out, d)?;
            }
        }
        Ok(())
    }

    /// Ends a member's line with its title, outlet and date, those the input has.
    fn about(&self, out: &mut dyn Write, d: DocId) -> io::Result<()> {
        let a = &self.inputs.articles[d.index()];
        if let Some(title) = a.title().filter(|t| !t.trim().is_empty()) {
            // One line per member, however the title was written.
            let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
            write!(out, "  | {title}")?;
        }
        let place: Vec<&str> = [a.source(), a.date()].into_iter().flatten().collect();
        if !place.is_empty() {
            write!(out, "  [{}]", place.join(", "))?;
        }
        writeln!(out)
    }
}
