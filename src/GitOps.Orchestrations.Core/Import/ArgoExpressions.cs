using System.Text;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// Argo's conditions, rewritten into this engine's expression language (JavaScript in a sandbox).
/// <c>when</c> is govaluate, over text that Argo substitutes first, so a bare word there is a
/// string (<c>{{steps.flip.outputs.result}} == heads</c>). Rollouts' conditions, <c>{{= }}</c>,
/// retry and hook expressions are expr, where a bare word is a variable. References stay
/// references (<c>{{tasks.flip.outputs.result}}</c>), which the engine turns into variables:
/// a value is never spliced into the text.
/// </summary>
public static class ArgoExpressions
{
    public enum Dialect
    {
        /// <summary>Argo Workflows' <c>when</c>.</summary>
        Govaluate,

        /// <summary>expr-lang: Argo Rollouts' conditions and Argo Workflows' <c>{{= }}</c> and <c>expression</c> fields.</summary>
        Expr,
    }

    /// <summary>Variables of an expr expression, renamed: for an http <c>successCondition</c>, <c>response.statusCode</c> is <c>status</c>.</summary>
    public static IReadOnlyDictionary<string, string> HttpVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["response.statusCode"] = "status",
        ["response.body"] = "body",
        ["response.headers"] = "headers",
    };

    const int MaxLength = 4096;

    /// <summary>The translation, or null with the reason added to <paramref name="references"/>' problems.</summary>
    public static string? Translate(string source, Dialect dialect, ArgoReferences references, bool inTemplate = false, IReadOnlyDictionary<string, string>? variables = null)
    {
        if (source.Length > MaxLength)
        {
            references.Problems.Add($"an expression longer than {MaxLength} characters");
            return null;
        }

        List<Token>? tokens = Tokenize(source, out string? problem);
        if (tokens is null)
        {
            references.Problems.Add($"'{source.Trim()}' cannot be read: {problem}");
            return null;
        }

        var pieces = new List<string>();
        for (int i = 0; i < tokens.Count; i++)
        {
            Token token = tokens[i];
            if (i > 0 && token.Kind != TokenKind.Operator && tokens[i - 1].Kind != TokenKind.Operator && tokens[i - 1].Text is not ("and" or "or" or "not" or "in" or "matches" or "contains" or "startsWith" or "endsWith")
                && token.Text is not ("and" or "or" or "in" or "matches" or "contains" or "startsWith" or "endsWith"))
            {
                references.Problems.Add($"two values side by side in '{source.Trim()}'");
                return null;
            }

            string? piece = token.Kind switch
            {
                TokenKind.Reference => Reference(token.Text, references, inTemplate),
                TokenKind.String => StringLiteral(token.Text, references, inTemplate),
                TokenKind.Number => token.Text,
                TokenKind.Word => Word(tokens, ref i, dialect, references, inTemplate, variables),
                _ => Operator(token.Text),
            };
            if (piece is null)
            {
                if (token.Kind == TokenKind.Operator)
                {
                    references.Problems.Add($"the operator '{token.Text}' has no counterpart in '{source.Trim()}'");
                }

                return null;
            }

            // Binary operators of Argo that are methods here: A =~ B, A contains B, A in (x, y).
            if (piece is "=~" or "!~" or "matches" or "contains" or "startsWith" or "endsWith" or "in")
            {
                if (pieces.Count == 0 || i + 1 >= tokens.Count)
                {
                    references.Problems.Add($"'{token.Text}' needs a value on each side in '{source.Trim()}'");
                    return null;
                }

                string left = pieces[^1];
                pieces.RemoveAt(pieces.Count - 1);
                i++;
                string? right;
                if (piece == "in")
                {
                    right = List(tokens, ref i, dialect, references, inTemplate, variables);
                    if (right is null)
                    {
                        references.Problems.Add($"'in' needs a list in parentheses or brackets in '{source.Trim()}'");
                        return null;
                    }

                    pieces.Add($"{right}.includes({left})");
                    continue;
                }

                right = Atom(tokens, ref i, dialect, references, inTemplate, variables);
                if (right is null)
                {
                    references.Problems.Add($"'{token.Text}' needs a single value on its right in '{source.Trim()}'");
                    return null;
                }

                pieces.Add(piece switch
                {
                    "=~" or "matches" => $"(String({left}).match({right}) != null)",
                    "!~" => $"(String({left}).match({right}) == null)",
                    "contains" => $"String({left}).includes({right})",
                    _ => $"String({left}).{piece}({right})",
                });
                if (piece is "=~" or "!~" or "matches")
                {
                    references.Changes.Add("a regular expression is matched by JavaScript's rules, not Go's");
                }

                continue;
            }

            pieces.Add(piece);
        }

        var text = new StringBuilder();
        foreach (string piece in pieces)
        {
            if (text.Length > 0 && NeedsSpace(text[^1], piece[0]) && !(piece[0] == '(' && char.IsLetterOrDigit(text[^1])))
            {
                text.Append(' ');
            }

            text.Append(piece);
        }

        return text.ToString();
    }

    static bool NeedsSpace(char before, char next) => !(before is '(' or '[' or '!' || next is ')' or ']' or ',' || (before == '.' && char.IsLetter(next)));

    static string? Atom(List<Token> tokens, ref int i, Dialect dialect, ArgoReferences references, bool inTemplate, IReadOnlyDictionary<string, string>? variables)
    {
        Token token = tokens[i];
        return token.Kind switch
        {
            TokenKind.Reference => Reference(token.Text, references, inTemplate),
            TokenKind.String => StringLiteral(token.Text, references, inTemplate),
            TokenKind.Number => token.Text,
            TokenKind.Word => Word(tokens, ref i, dialect, references, inTemplate, variables),
            _ => null,
        };
    }

    /// <summary><c>('a', 'b')</c> or <c>['a', 'b']</c>, as a JavaScript array.</summary>
    static string? List(List<Token> tokens, ref int i, Dialect dialect, ArgoReferences references, bool inTemplate, IReadOnlyDictionary<string, string>? variables)
    {
        if (tokens[i].Text is not ("(" or "["))
        {
            return null;
        }

        string close = tokens[i].Text == "(" ? ")" : "]";
        var items = new List<string>();
        for (i++; i < tokens.Count && tokens[i].Text != close; i++)
        {
            if (tokens[i].Text == ",")
            {
                continue;
            }

            if (Atom(tokens, ref i, dialect, references, inTemplate, variables) is not string item)
            {
                return null;
            }

            items.Add(item);
        }

        return i < tokens.Count ? $"[{string.Join(", ", items)}]" : null;
    }

    static string? Reference(string inner, ArgoReferences references, bool inTemplate)
    {
        string? mapped = references.Path(inner.Trim());
        if (mapped is null)
        {
            return null;
        }

        if (!mapped.StartsWith("{{", StringComparison.Ordinal))
        {
            // A leaf's argument, written in: as text it is a string, never code.
            return inTemplate ? null : Quote(mapped);
        }

        return inTemplate ? JsPath(mapped[2..^2]) : mapped;
    }

    static string? StringLiteral(string value, ArgoReferences references, bool inTemplate)
    {
        if (value.Contains("{{", StringComparison.Ordinal))
        {
            if (inTemplate)
            {
                references.Problems.Add("a reference inside a string of an {{= }} expression");
                return null;
            }

            // '{{x}}' is the value's text: the engine reads a quoted reference that way.
            string rewritten = references.Rewrite(value);
            return rewritten.Contains("(not imported:", StringComparison.Ordinal) ? null : Quote(rewritten);
        }

        return Quote(value);
    }

    static string? Word(List<Token> tokens, ref int i, Dialect dialect, ArgoReferences references, bool inTemplate, IReadOnlyDictionary<string, string>? variables)
    {
        string word = tokens[i].Text;
        bool call = i + 1 < tokens.Count && tokens[i + 1].Text == "(";
        switch (word)
        {
            case "true" or "false":
                return word;
            case "nil" or "null":
                return "null";
            case "and" when dialect == Dialect.Expr:
                return "&&";
            case "or" when dialect == Dialect.Expr:
                return "||";
            case "not" when dialect == Dialect.Expr:
                return "!";
            case "in":
            case "matches" or "contains" or "startsWith" or "endsWith" when !call:
                return word;
        }

        if (call)
        {
            string? function = word switch
            {
                "len" or "isNaN" or "isInf" => word == "isInf" ? null : word,
                "asInt" or "asFloat" or "int" or "float" or "number" => "Number",
                "string" or "toString" => "String",
                "abs" or "ceil" or "floor" or "round" or "max" or "min" => "Math." + word,
                "lower" => null,
                _ => null,
            };
            if (function is null)
            {
                references.Problems.Add($"the function '{word}' has no counterpart in the expression language");
            }

            return function;
        }

        if (dialect == Dialect.Govaluate)
        {
            // govaluate reads Argo's substituted text: `{{x}} == heads` compares with the string "heads".
            return Quote(word);
        }

        // expr: a variable path such as inputs.parameters['name'] or response.statusCode.
        var path = new List<string> { word };
        while (i + 2 < tokens.Count)
        {
            if (tokens[i + 1].Text == "." && tokens[i + 2].Kind == TokenKind.Word)
            {
                path.Add(tokens[i + 2].Text);
                i += 2;
            }
            else if (tokens[i + 1].Text == "[" && i + 3 < tokens.Count && tokens[i + 2].Kind is TokenKind.String or TokenKind.Number && tokens[i + 3].Text == "]")
            {
                path.Add(tokens[i + 2].Text);
                i += 3;
            }
            else
            {
                break;
            }
        }

        string dotted = string.Join('.', path);
        if (variables is not null)
        {
            foreach (var (from, to) in variables)
            {
                if (dotted == from || dotted.StartsWith(from + ".", StringComparison.Ordinal))
                {
                    return JsPath(to + dotted[from.Length..]);
                }
            }

            if (variables.Values.Contains(path[0]) || path[0] is "result" or "args")
            {
                return JsPath(dotted);
            }
        }

        if (path[0] is "result" or "args")
        {
            return JsPath(dotted);
        }

        if (path[0] == "lastRetry")
        {
            if (path is [_, "status" or "duration" or "message" or "attempt"])
            {
                return JsPath(dotted);
            }

            references.Problems.Add($"{dotted} has no counterpart; a retry expression reads lastRetry.status, lastRetry.message, lastRetry.attempt and lastRetry.duration");
            return null;
        }

        return Reference(dotted, references, inTemplate);
    }

    /// <summary><c>params.my-param</c> as JavaScript: <c>params['my-param']</c>.</summary>
    static string JsPath(string dotted)
    {
        string[] parts = dotted.Split('.');
        var text = new StringBuilder(parts[0]);
        foreach (string part in parts.Skip(1))
        {
            bool identifier = part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_');
            text.Append(identifier ? "." + part : int.TryParse(part, out _) ? $"[{part}]" : $"[{Quote(part)}]");
        }

        return text.ToString();
    }

    static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "'";

    static string? Operator(string op) => op switch
    {
        "==" or "!=" or "<" or "<=" or ">" or ">=" or "&&" or "||" or "!" or "(" or ")" or "[" or "]" or "," or "+" or "-" or "*" or "/" or "%" or "?" or ":" or "." => op,
        "=~" or "!~" => op,
        _ => null,
    };

    enum TokenKind { Reference, String, Number, Word, Operator }

    readonly record struct Token(TokenKind Kind, string Text);

    static List<Token>? Tokenize(string source, out string? problem)
    {
        var tokens = new List<Token>();
        problem = null;
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (source.AsSpan(i).StartsWith("{{"))
            {
                int end = source.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    problem = "a '{{' without '}}'";
                    return null;
                }

                tokens.Add(new(TokenKind.Reference, source[(i + 2)..end]));
                i = end + 2;
            }
            else if (c is '\'' or '"' or '`')
            {
                var text = new StringBuilder();
                int j = i + 1;
                for (; j < source.Length && source[j] != c; j++)
                {
                    if (source[j] == '\\' && j + 1 < source.Length && c != '`')
                    {
                        j++;
                    }

                    text.Append(source[j]);
                }

                if (j >= source.Length)
                {
                    problem = "a string without its closing quote";
                    return null;
                }

                tokens.Add(new(TokenKind.String, text.ToString()));
                i = j + 1;
            }
            else if (char.IsDigit(c))
            {
                int j = i;
                while (j < source.Length && (char.IsDigit(source[j]) || source[j] == '.' || source[j] == 'e' || source[j] == 'E'))
                {
                    j++;
                }

                tokens.Add(new(TokenKind.Number, source[i..j]));
                i = j;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int j = i;
                // A word may hold '-' between letters (heads-up), as task names and values do.
                while (j < source.Length && (char.IsLetterOrDigit(source[j]) || source[j] == '_' || (source[j] == '-' && j + 1 < source.Length && char.IsLetter(source[j + 1]) && j > i)))
                {
                    j++;
                }

                tokens.Add(new(TokenKind.Word, source[i..j]));
                i = j;
            }
            else
            {
                string two = i + 1 < source.Length ? source.Substring(i, 2) : "";
                string op = two is "==" or "!=" or "<=" or ">=" or "&&" or "||" or "=~" or "!~" or "**" or "??" or "<<" or ">>" ? two : c.ToString();
                tokens.Add(new(TokenKind.Operator, op));
                i += op.Length;
            }
        }

        return tokens;
    }
}
