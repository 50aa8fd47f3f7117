"""Search over the published archive, in English, Chinese and pinyin."""
