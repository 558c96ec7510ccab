//! Free and disposable mail providers: a lead from one of these is usually not a business buyer.
//! The list is short by design (the big providers cover most sign-ups), and models add their own with
//! `email_domain.in`. One string, the domains separated by spaces and kept sorted, read by a linear
//! scan: a `&[&str]` would add a table of 43 pointer-and-length pairs to the website tag's data.

use crate::pattern::split;

const FREE_DOMAINS: &str = "\
aim.com \
aol.com \
comcast.net \
fastmail.com \
gmail.com \
gmx.com \
gmx.de \
gmx.net \
googlemail.com \
guerrillamail.com \
hey.com \
hotmail.co.uk \
hotmail.com \
hotmail.de \
hotmail.fr \
hushmail.com \
icloud.com \
live.com \
mail.com \
mail.ru \
mailinator.com \
me.com \
msn.com \
naver.com \
outlook.com \
pm.me \
proton.me \
protonmail.com \
qq.com \
rocketmail.com \
t-online.de \
tutanota.com \
web.de \
yahoo.co.in \
yahoo.co.jp \
yahoo.co.uk \
yahoo.com \
yahoo.de \
yahoo.fr \
yandex.com \
yandex.ru \
ymail.com \
zoho.com";

pub fn is_free_domain(domain: &str) -> bool {
    split(FREE_DOMAINS, b' ').any(|free| free == domain)
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_is_sorted_without_blanks() {
        let domains: Vec<&str> = super::split(super::FREE_DOMAINS, b' ').collect();
        assert!(domains.len() > 40 && domains.iter().all(|d| d.contains('.') && !d.contains(char::is_whitespace)));
        assert!(domains.windows(2).all(|w| matches!(w, [a, b] if a < b)));
        assert!(super::is_free_domain("gmail.com"));
        assert!(super::is_free_domain("aim.com") && super::is_free_domain("zoho.com"));
        assert!(!super::is_free_domain("acme.com") && !super::is_free_domain("") && !super::is_free_domain("gmail"));
    }
}
