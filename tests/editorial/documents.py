"""Documents editors post in the tests, written for them in the newsletter's formats (the
think-tank article of seed 003 and the daily press review of seed 001); no seed text."""

from __future__ import annotations

# A think-tank analysis: ISSN line, title, "By <author>*", body, conclusion, author note,
# publisher blurb and comment-form boilerplate.
ARTICLE_003 = """ISSN 2330-717X

Why Tokyo And Beijing Keep Talking About Supply Chains – Analysis


By He Jun*


Japan and China have spent the autumn arguing over export controls on rare earths, while their trade ministers kept meeting in Tokyo. Japanese carmakers depend on Chinese magnets, and Chinese factories still buy Japanese machine tools.

Researchers at the institute think that neither Tokyo nor Beijing can afford a rupture. Japan has tried to diversify its suppliers since 2010, yet most of its refined rare earths still come from China.

For China, Japanese investment remains a source of technology and jobs in its coastal provinces. Officials in Beijing have therefore softened their tone toward Japan in recent weeks.

Final analysis conclusion:

Japan and China are likely to keep a managed rivalry: they will compete on technology while protecting the trade ties both economies need.

*He Jun is a researcher at the institute's macroeconomic research center.

ANBOUND is an independent think tank founded in 1993, specializing in public policy research.

Leave a Reply

Your email address will not be published.
"""

# A daily press review: title with the date, publication line, overview, headline list,
# "摘要" with numbered items (English headline, 中文标题, 内容摘要), then the full articles with
# their source URL glued to the first paragraph.
DAILY_REPORT = """英文媒体关于中国的报道汇总 2025-09-02
September 3, 2025 12 min 2400 words
以下是媒体报道的主要内容: 1. 日本与中国就稀土出口进行磋商。 2. 欧盟考虑对中国电动汽车征收新关税。 3. 中国在非洲投资新的港口项目。
- Japan and China hold rare-earth talks in Tokyo
- EU weighs new tariffs on Chinese electric vehicles
- China funds a new port in Kenya
摘要
1. Japan and China hold rare-earth talks in Tokyo
中文标题:日本与中国在东京举行稀土会谈
内容摘要:日本和中国官员在东京就稀土出口管制举行会谈，双方同意继续沟通。日本企业希望确保供应稳定。
2. EU weighs new tariffs on Chinese electric vehicles
中文标题:欧盟考虑对中国电动汽车征收新关税
内容摘要:欧盟委员会正在评估对中国电动汽车加征关税，德国和法国的立场存在分歧。
3. China funds a new port in Kenya
中文标题:中国资助肯尼亚新港口
内容摘要:中国将为肯尼亚的一个新港口提供资金，这是其在非洲基础设施投资的一部分。
Japan and China hold rare-earth talks in Tokyo
https://news.example.com/asia/japan-china-rare-earths?utm_source=rss_feedJapanese and Chinese trade officials met in Tokyo on Tuesday to discuss export controls on rare earths. Japan asked for stable supplies for its carmakers.
Both sides agreed to meet again in Beijing next month.
EU weighs new tariffs on Chinese electric vehicles
https://news.example.com/europe/eu-ev-tariffs?utm_source=rss_feedThe European Commission is studying new tariffs on Chinese electric vehicles, officials in Brussels said. Germany and France disagree on the plan.
China funds a new port in Kenya
https://news.example.com/africa/kenya-port?utm_source=rss_feedChina will finance a new deep-water port in Kenya, extending its infrastructure lending in Africa. Kenyan officials welcomed the deal.
"""

# A monthly digest: header, region line, intro list ("Name on ..."), numbered region sections
# whose paragraphs are entries ("Name (中文名): commentary — affiliation (outlet, day Month)").
DIGEST = """October Digest | Part 1 — Neighbours and Partners
Japan | Europe
This post gathers commentaries from October on China's relations with its neighbours and partners.
Huang Jing on why Tokyo's new cabinet is unlikely to change course on China.
Wang Yiwei on how European ports weigh Chinese investment against security reviews.
1. Japan
Huang Jing (黄靖): The new cabinet in Tokyo inherits a cautious China policy, and business lobbies will keep pressing it to avoid new export restrictions. — Professor, Institute of International Relations (观察者网, 3 October)
2. Europe
Wang Yiwei (王义桅): European port authorities now balance Chinese capital against screening rules, and smaller ports are the most willing to accept it. — Director, Institute of International Affairs, Renmin University (环球时报, 12 October)
"""
