/* Boxes and labels drawn into an RGB image, for `mldeck infer --out`.
 * The font is a built-in 5x7 bitmap (letters drawn as capitals). */
#include <string.h>

#include "data/image.h"

struct glyph {
    char c;
    const char *rows;   /* 7 rows of 5 columns, '#' = ink */
};

static const struct glyph font[] = {
    {'0', " ### #   ##  ### # ###  ##   # ### "}, {'1', "  #   ##    #    #    #    #   ### "},
    {'2', " ### #   #    #   #   #   #   #####"}, {'3', "#####   #   #     #     ##   # ### "},
    {'4', "   #   ##  # # #  # #####   #    # "}, {'5', "######    ####     #    ##   # ### "},
    {'6', "  ##  #   #    #### #   ##   # ### "}, {'7', "#####    #   #   #   #    #    #   "},
    {'8', " ### #   ##   # ### #   ##   # ### "}, {'9', " ### #   ##   # ####    #   #  ##  "},
    {'A', " ### #   ##   #######   ##   ##   #"}, {'B', "#### #   ##   ##### #   ##   ##### "},
    {'C', " ### #   ##    #    #    #   # ### "}, {'D', "#### #   ##   ##   ##   ##   ##### "},
    {'E', "######    #    #### #    #    #####"}, {'F', "######    #    #### #    #    #    "},
    {'G', " ### #   ##    # ####   ##   # ####"}, {'H', "#   ##   ##   #######   ##   ##   #"},
    {'I', " ###   #    #    #    #    #   ### "}, {'J', "  ###   #    #    #    # #  #  ##  "},
    {'K', "#   ##  # # #  ##   # #  #  # #   #"}, {'L', "#    #    #    #    #    #    #####"},
    {'M', "#   ### ### # ##   ##   ##   ##   #"}, {'N', "#   ##   ###  ## # ##  ###   ##   #"},
    {'O', " ### #   ##   ##   ##   ##   # ### "}, {'P', "#### #   ##   ##### #    #    #    "},
    {'Q', " ### #   ##   ##   ## # ##  #  ## #"}, {'R', "#### #   ##   ##### # #  #  # #   #"},
    {'S', " ####    #     ###     #    #####  "}, {'T', "#####  #    #    #    #    #    #  "},
    {'U', "#   ##   ##   ##   ##   ##   # ### "}, {'V', "#   ##   ##   ##   ##   # # #   #  "},
    {'W', "#   ##   ##   ## # ## # ## # # # # "}, {'X', "#   ##   # # #   #   # # #   ##   #"},
    {'Y', "#   ##   # # #   #    #    #    #  "}, {'Z', "#####    #   #   #   #   #    #####"},
    {'.', "                          ##   ##  "}, {'-', "                ###                "},
    {'_', "                              #####"}, {':', "      ##   ##        ##   ##       "},
    {'%', "##   ##  #   #   #   #   #  ##   ##"}, {'/', "    #    #   #   #   #   #    #    "},
    {'(', "   #   #   #    #    #     #     # "}, {')', " #     #     #    #    #   #   #   "},
    {' ', "                                   "},
};

static const char *glyph_rows(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    for (size_t i = 0; i < sizeof font / sizeof *font; i++)
        if (font[i].c == c)
            return font[i].rows;
    return NULL;
}

static void put(struct md_image *img, int x, int y, const uint8_t rgb[3])
{
    if (x >= 0 && y >= 0 && x < img->w && y < img->h)
        memcpy(img->rgb + ((size_t)y * img->w + x) * 3, rgb, 3);
}

void md_image_fill_rect(struct md_image *img, int x1, int y1, int x2, int y2, const uint8_t rgb[3])
{
    x1 = x1 < 0 ? 0 : x1;
    y1 = y1 < 0 ? 0 : y1;
    x2 = x2 >= img->w ? img->w - 1 : x2;
    y2 = y2 >= img->h ? img->h - 1 : y2;
    for (int y = y1; y <= y2; y++)
        for (int x = x1; x <= x2; x++)
            put(img, x, y, rgb);
}

void md_image_draw_rect(struct md_image *img, int x1, int y1, int x2, int y2, int thick,
                        const uint8_t rgb[3])
{
    for (int t = 0; t < thick; t++) {
        md_image_fill_rect(img, x1 + t, y1 + t, x2 - t, y1 + t, rgb);
        md_image_fill_rect(img, x1 + t, y2 - t, x2 - t, y2 - t, rgb);
        md_image_fill_rect(img, x1 + t, y1 + t, x1 + t, y2 - t, rgb);
        md_image_fill_rect(img, x2 - t, y1 + t, x2 - t, y2 - t, rgb);
    }
}

int md_image_text_width(const char *text, int scale)
{
    return (int)strlen(text) * 6 * scale;
}

int md_image_draw_text(struct md_image *img, int x, int y, const char *text, int scale,
                       const uint8_t rgb[3])
{
    int x0 = x;
    for (const char *c = text; *c; c++, x += 6 * scale) {
        const char *g = glyph_rows(*c);
        if (!g)
            g = glyph_rows('_');
        size_t n = strlen(g);
        for (int r = 0; r < 7; r++)
            for (int col = 0; col < 5; col++) {
                size_t i = (size_t)(r * 5 + col);
                if (i < n && g[i] == '#')
                    for (int dy = 0; dy < scale; dy++)
                        for (int dx = 0; dx < scale; dx++)
                            put(img, x + col * scale + dx, y + r * scale + dy, rgb);
            }
    }
    return x - x0;
}
