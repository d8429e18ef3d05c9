using System.Globalization;
using System.Text;

namespace FlowEngine.Expressions;

/// <summary>
/// A hand-written recursive-descent parser for the pill language: paths, literals, comparison, <c>and/or/not</c>,
/// arithmetic, <c>??</c>, <c>? :</c> and built-in function calls. Nothing else can run, so an expression is safe to
/// evaluate from an untrusted flow file.
/// </summary>
public static class Parser
{
    /// <summary>Deepest nesting accepted, so a hostile file cannot overflow the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Longest expression accepted, in characters.</summary>
    public const int MaxLength = 8192;

    /// <summary>Parses one expression (the text between <c>{{</c> and <c>}}</c>).</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="baseOffset">Added to every offset, so errors point into the surrounding template.</param>
    public static Expr Parse(string text, int baseOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new ExpressionException($"expression is longer than {MaxLength} characters", baseOffset);
        }

        var state = new State(Lex(text, baseOffset));
        if (state.Peek.Kind == TokenKind.End)
        {
            throw new ExpressionException("empty expression", baseOffset);
        }

        var expr = ParseConditional(state);
        if (state.Peek.Kind != TokenKind.End)
        {
            throw new ExpressionException($"unexpected '{state.Peek.Text}'", state.Peek.Offset);
        }

        return expr;
    }

    private enum TokenKind { Name, Number, String, Symbol, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Offset, object? Value = null);

    private sealed class State(List<Token> tokens)
    {
        private int _position;
        public int Depth;
        public Token Peek => tokens[_position];
        public Token Next() => tokens[_position++];

        public bool Accept(string symbol)
        {
            if (Peek.Kind is TokenKind.Symbol or TokenKind.Name && Peek.Text == symbol)
            {
                _position++;
                return true;
            }

            return false;
        }

        public void Expect(string symbol)
        {
            if (!Accept(symbol))
            {
                var found = Peek.Kind == TokenKind.End ? "the end" : $"'{Peek.Text}'";
                throw new ExpressionException($"expected '{symbol}' but found {found}", Peek.Offset);
            }
        }
    }

    private static readonly string[] Symbols =
        ["==", "!=", "<=", ">=", "&&", "||", "??", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[", "]", ".", ",", "?", ":"];

    private static List<Token> Lex(string text, int baseOffset)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, text[start..i], baseOffset + start));
            }
            else if (char.IsDigit(c))
            {
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                var isDouble = i + 1 < text.Length && text[i] == '.' && char.IsDigit(text[i + 1]);
                if (isDouble)
                {
                    i++;
                    while (i < text.Length && char.IsDigit(text[i]))
                    {
                        i++;
                    }
                }

                var literal = text[start..i];
                // Both arms are object: a bare conditional would widen every integer literal to double.
                object value = isDouble
                    ? (object)double.Parse(literal, CultureInfo.InvariantCulture)
                    : long.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                        ? (object)l
                        : throw new ExpressionException($"number '{literal}' is too large", baseOffset + start);
                tokens.Add(new Token(TokenKind.Number, literal, baseOffset + start, value));
            }
            else if (c is '\'' or '"')
            {
                i++;
                var sb = new StringBuilder();
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ExpressionException("unterminated string", baseOffset + start);
                    }

                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        sb.Append(text[i + 1] switch { 'n' => '\n', 't' => '\t', var other => other });
                        i += 2;
                        continue;
                    }

                    if (text[i] == c)
                    {
                        i++;
                        break;
                    }

                    sb.Append(text[i++]);
                }

                tokens.Add(new Token(TokenKind.String, text[start..i], baseOffset + start, sb.ToString()));
            }
            else
            {
                var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                    ?? throw new ExpressionException($"unexpected character '{c}'", baseOffset + start);
                i += symbol.Length;
                tokens.Add(new Token(TokenKind.Symbol, symbol, baseOffset + start));
            }
        }

        tokens.Add(new Token(TokenKind.End, "", baseOffset + text.Length));
        return tokens;
    }

    private static Expr ParseConditional(State s)
    {
        if (++s.Depth > MaxDepth)
        {
            throw new ExpressionException($"expression is nested deeper than {MaxDepth} levels", s.Peek.Offset);
        }

        var condition = ParseCoalesce(s);
        if (s.Peek.Kind == TokenKind.Symbol && s.Peek.Text == "?")
        {
            var offset = s.Next().Offset;
            var whenTrue = ParseConditional(s);
            s.Expect(":");
            var whenFalse = ParseConditional(s);
            condition = new ConditionalExpr(condition, whenTrue, whenFalse, offset);
        }

        s.Depth--;
        return condition;
    }

    private static Expr ParseCoalesce(State s) => ParseBinary(s, 0);

    private static readonly string[][] Levels =
    [
        ["??"],
        ["or", "||"],
        ["and", "&&"],
        ["==", "!="],
        ["<", "<=", ">", ">="],
        ["+", "-"],
        ["*", "/", "%"],
    ];

    private static Expr ParseBinary(State s, int level)
    {
        if (level == Levels.Length)
        {
            return ParseUnary(s);
        }

        var left = ParseBinary(s, level + 1);
        while (s.Peek.Kind is TokenKind.Symbol or TokenKind.Name && Levels[level].Contains(s.Peek.Text))
        {
            var op = s.Next();
            var right = ParseBinary(s, level + 1);
            var name = op.Text switch { "||" => "or", "&&" => "and", var t => t };
            left = new BinaryExpr(name, left, right, op.Offset);
        }

        return left;
    }

    private static Expr ParseUnary(State s)
    {
        var token = s.Peek;
        if (token.Kind == TokenKind.Symbol && token.Text is "!" or "-" || token.Kind == TokenKind.Name && token.Text == "not")
        {
            s.Next();
            if (++s.Depth > MaxDepth)
            {
                throw new ExpressionException($"expression is nested deeper than {MaxDepth} levels", token.Offset);
            }

            var operand = ParseUnary(s);
            s.Depth--;
            return new UnaryExpr(token.Text == "-" ? "-" : "not", operand, token.Offset);
        }

        return ParsePostfix(s, ParsePrimary(s));
    }

    private static Expr ParsePostfix(State s, Expr expr)
    {
        while (true)
        {
            if (s.Accept("."))
            {
                var name = s.Next();
                if (name.Kind != TokenKind.Name)
                {
                    throw new ExpressionException("expected a property name after '.'", name.Offset);
                }

                expr = new MemberExpr(expr, name.Text, name.Offset);
            }
            else if (s.Peek.Kind == TokenKind.Symbol && s.Peek.Text == "[")
            {
                var offset = s.Next().Offset;
                var index = ParseConditional(s);
                s.Expect("]");
                expr = new IndexExpr(expr, index, offset);
            }
            else
            {
                return expr;
            }
        }
    }

    private static Expr ParsePrimary(State s)
    {
        var token = s.Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
            case TokenKind.String:
                return new LiteralExpr(token.Value, token.Offset);
            case TokenKind.Name:
                switch (token.Text)
                {
                    case "true": return new LiteralExpr(true, token.Offset);
                    case "false": return new LiteralExpr(false, token.Offset);
                    case "null": return new LiteralExpr(null, token.Offset);
                }

                if (s.Accept("("))
                {
                    var args = new List<Expr>();
                    if (!s.Accept(")"))
                    {
                        do
                        {
                            args.Add(ParseConditional(s));
                        }
                        while (s.Accept(","));
                        s.Expect(")");
                    }

                    var function = Functions.Find(token.Text)
                        ?? throw new ExpressionException(
                            $"unknown function '{token.Text}'{Suggest.DidYouMean(token.Text, Functions.Names)}", token.Offset);
                    if (args.Count < function.MinArgs || args.Count > function.MaxArgs)
                    {
                        throw new ExpressionException($"{token.Text}() takes {function.Arity} but got {args.Count}", token.Offset);
                    }

                    return new CallExpr(token.Text, args, token.Offset) { Function = function };
                }

                return new RootExpr(token.Text, token.Offset);
            case TokenKind.Symbol when token.Text == "[":
                var items = new List<Expr>();
                if (!s.Accept("]"))
                {
                    do
                    {
                        items.Add(ParseConditional(s));
                    }
                    while (s.Accept(","));
                    s.Expect("]");
                }

                return new ArrayExpr(items, token.Offset);
            case TokenKind.Symbol when token.Text == "(":
                var inner = ParseConditional(s);
                s.Expect(")");
                return inner;
            case TokenKind.End:
                throw new ExpressionException("expression ends too early", token.Offset);
            default:
                throw new ExpressionException($"unexpected '{token.Text}'", token.Offset);
        }
    }
}
