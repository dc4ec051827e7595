# Regenerates clean_python.jsonl: the thesis's Python preprocessing on random
# hard strings. Run from core/text/testdata with Python 3.11:
#   python3 gen_clean_python.py
import json, random, re

stop = set(w.strip() for w in open('../stopwords_nltk_english.txt', encoding='utf-8')
           if w.strip() and not w.startswith('#'))
assert len(stop) == 198

def clean(t):
    # Each kept word followed by a space, as the thesis built its string.
    t = ''.join(w + ' ' for w in t.lower().split() if w not in stop)
    t = re.sub('\n', '', t)
    t = re.sub('\t', '', t)
    t = re.sub('<[^>]+>', '', t)
    t = re.sub(r"[^\w\s']", ' ', t)
    return re.sub(' +', ' ', t)

random.seed(7)
alpha = list("abcXYZ019_'\"<>/!?.,;:-()&#") + [' ']*6 + list("\t\n\r\x0b\x0c\x1c\x1f\xa0\x85\u2028\u3000\u200b") + \
        list("éÉñßæøðþÅ") + list("αβγΔΩ") + ["e\u0301", "\u0663", "½", "²", "Ⅻ", "😀", "日本", "\u00ad", "\x96", "´", "’"] + \
        ["the ", "The ", "it's ", "I'm ", "he'd ", "<br />", "<br /><br />", "don't ", "<b>", "</b>", " a ", "movie ", "FILM "]
with open('clean_python.jsonl', 'w', encoding='utf-8') as f:
    for i in range(1000):
        s = ''.join(random.choice(alpha) for _ in range(random.randint(0, 40)))
        f.write(json.dumps({"in": s, "want": clean(s)}, ensure_ascii=False) + '\n')
