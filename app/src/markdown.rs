//! Comments are written in Markdown and shown as HTML. Raw HTML in a comment is shown as the text
//! that was typed, and the rendered HTML is then cleaned by an allow-list (ammonia), so no
//! script, event handler, style, image or `javascript:` link can reach another member's browser.

use pulldown_cmark::{html, Event, Options, Parser};
use std::collections::HashSet;

/// Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    // HTML written into the comment becomes text: people see what was typed, nothing runs.
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        // An image would load from anywhere the author likes, telling them who read the comment.
        .rm_tags(["img"])
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        let html = render("**Done**, see [the docs](https://example.com/docs).\n\n- one\n- two");
        assert!(html.contains("<strong>Done</strong>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/docs" rel="noopener noreferrer nofollow">the docs</a>"#),
            "{html}"
        );
        assert!(html.contains("<li>one</li>"), "{html}");
    }

    #[test]
    fn nothing_in_a_comment_can_run() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "![x](javascript:alert(1))",
        ] {
            let html = render(attack);
            let lower = html.to_lowercase();
            assert!(!lower.contains("<script"), "{attack} gave {html}");
            assert!(!lower.contains("<img"), "{attack} gave {html}");
            assert!(!lower.contains("<iframe"), "{attack} gave {html}");
            assert!(
                !lower.contains("<a href=\"javascript:"),
                "{attack} gave {html}"
            );
            assert!(!lower.contains(" onerror=\""), "{attack} gave {html}");
        }
        // Typed HTML is shown as text.
        assert!(render("<b>hi</b>").contains("&lt;b&gt;hi&lt;/b&gt;"));
    }
}
