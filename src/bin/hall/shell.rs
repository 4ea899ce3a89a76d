//! `hall shell`: the counter on a terminal, through the same command set the desktop UI uses.
//! Type a search (name, pinyin initials, phone or its last 4 digits, account, meter, ID,
//! address fragment); a number opens that row; `:q` leaves.

use std::io::{BufRead, Write};

use hall::api::{App, CustomerRef, LoginArgs, NoArgs, Request};
use hall::store::search::{SearchPage, SearchQuery};

pub fn run(app: App) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut ask = |prompt: &str| -> Option<String> {
        print!("{prompt}");
        std::io::stdout().flush().ok();
        lines.next().and_then(Result::ok)
    };
    let token = loop {
        let Some(username) = ask("用户名 username: ") else { return Ok(()) };
        let Some(password) = ask("密码 password: ") else { return Ok(()) };
        match app.call(None, Request::Login(LoginArgs { username, password })) {
            Ok(value) => break value["token"].as_str().unwrap_or_default().to_owned(),
            Err(e) => println!("{}", e.messages()[0].zh),
        }
    };
    let status = app.call(Some(&token), Request::WorkstationStatus(NoArgs {}))?;
    println!("已登录 logged in · 供电营业厅 outlet {} · {} 户", status["outlet_code"].as_str().unwrap_or(""), status["customers"]);
    let mut last: Option<SearchPage> = None;
    while let Some(line) = ask("搜索 search> ") {
        let line = line.trim();
        match line {
            "" => continue,
            ":q" | ":quit" => break,
            _ => {}
        }
        let picked =
            line.parse::<usize>().ok().filter(|n| *n >= 1 && line.len() <= 2).and_then(|n| last.as_ref()?.hits.get(n - 1).cloned());
        if let Some(hit) = picked {
            match app.call(Some(&token), Request::GetCustomer(CustomerRef { id: hit.id.clone() })) {
                Ok(view) => println!("{}", serde_json::to_string_pretty(&view["customer"])?),
                Err(e) => println!("{}", e.messages()[0].zh),
            }
            continue;
        }
        match app.call(Some(&token), Request::SearchCustomers(SearchQuery { text: line.to_owned(), offset: 0, limit: 10 })) {
            Ok(value) => {
                let page: SearchPage = serde_json::from_value(value)?;
                for (i, hit) in page.hits.iter().enumerate() {
                    println!("{:>2}. {} {:<10} {:<13} {}", i + 1, hit.account, hit.name, hit.phone, hit.address);
                }
                if page.hits.is_empty() {
                    println!("没有找到 no match");
                }
                last = Some(page);
            }
            Err(e) => println!("{}", e.messages()[0].zh),
        }
    }
    Ok(())
}
