"""Words of libxml2's schema messages (bank_formats/iso20022/schema_words.py): the English is
libxml2's own sentence, rebuilt byte for byte from its parts; the Chinese says the same to a
clerk. Element and attribute names are the file's own and stay as they are."""
WORDS: dict[str, tuple[str, str]] = {
    "format.iso.schema.at": ("元素 {element}", "Element '{element}'"),
    "format.iso.schema.at_attribute": ("元素 {element} 的属性 {attribute}",
                                       "Element '{element}', attribute '{attribute}'"),
    "format.iso.schema.one_of": ("以下之一：", "one of "),
    "format.iso.schema.just": ("", ""),
    "format.iso.schema.not_expected": ("{at}：此处不应出现该元素，应为 {one}{expected}",
                                       "{at}: This element is not expected. Expected is {one}( {expected} )."),
    "format.iso.schema.not_expected_here": ("{at}：此处不应出现该元素", "{at}: This element is not expected."),
    "format.iso.schema.missing_child": ("{at}：缺少下级元素，应有 {one}{expected}",
                                        "{at}: Missing child element(s). Expected is {one}( {expected} )."),
    "format.iso.schema.atomic": ("{at}：值 '{value}' 不符合类型 {type} 的格式",
                                 "{at}: '{value}' is not a valid value of the atomic type '{type}'."),
    "format.iso.schema.max_length": ("{at}：长度为 {length}，超过允许的最大长度 {limit}",
                                     "{at}: [facet 'maxLength'] The value has a length of '{length}'; this exceeds "
                                     "the allowed maximum length of '{limit}'."),
    "format.iso.schema.min_length": ("{at}：长度为 {length}，不足允许的最小长度 {limit}",
                                     "{at}: [facet 'minLength'] The value has a length of '{length}'; this "
                                     "underruns the allowed minimum length of '{limit}'."),
    "format.iso.schema.pattern": ("{at}：值 '{value}' 不符合规定的格式（{pattern}）",
                                  "{at}: [facet 'pattern'] The value '{value}' is not accepted by the pattern "
                                  "'{pattern}'."),
    "format.iso.schema.enumeration": ("{at}：值 '{value}' 不在允许的取值 {allowed} 之中",
                                      "{at}: [facet 'enumeration'] The value '{value}' is not an element of the set "
                                      "{allowed}."),
    "format.iso.schema.total_digits": ("{at}：值 '{value}' 的位数超过允许的 {limit} 位",
                                       "{at}: [facet 'totalDigits'] The value '{value}' has more digits than are "
                                       "allowed ('{limit}')."),
    "format.iso.schema.fraction_digits": ("{at}：值 '{value}' 的小数位数超过允许的 {limit} 位",
                                          "{at}: [facet 'fractionDigits'] The value '{value}' has more fractional "
                                          "digits than are allowed ('{limit}')."),
    "format.iso.schema.min_inclusive": ("{at}：值 '{value}' 小于允许的最小值 {limit}",
                                        "{at}: [facet 'minInclusive'] The value '{value}' is less than the minimum "
                                        "value allowed ('{limit}')."),
    "format.iso.schema.attribute_missing": ("{at}：缺少必需的属性 {name}",
                                            "{at}: The attribute '{name}' is required but missing."),
    "format.iso.schema.attribute_not_allowed": ("{at}：不允许有属性 {name}",
                                                "{at}: The attribute '{name}' is not allowed."),
    "format.iso.schema.text_not_allowed": ("{at}：此元素只应包含下级元素，不应有文字",
                                           "{at}: Character content other than whitespace is not allowed because "
                                           "the content type is 'element-only'."),
    "format.iso.schema.no_root": ("{at}：不是本报文的根元素（报文类型或命名空间不对）",
                                  "{at}: No matching global declaration available for the validation root."),
}
